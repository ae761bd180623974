"""`gradlens analyze` of the engine's own run log (`inspect --jsonl`) gives exactly inspect's
findings — the same codes on the same lines — for every example and every hidden network:
the log's `.net` file is the network judged, with its layer kinds (recurrent, convolutional,
residual) and its `watch` thresholds. Without the `.net` file, findings carry no line, and
the network rebuilt from the header has the recurrent layers of stacked-recurrent as such."""

import json
import shutil
import unittest

from gradlens_test import ROOT, TempDir, gradlens, gradlens_json
import hidden_nets


def findings(report):
    return sorted((f["code"], f.get("line"), f.get("layer")) for f in report["findings"])


class AnalyzeMatchesInspect(unittest.TestCase):
    def check(self, folder, net):
        log = folder / f"{net.stem}.jsonl"
        inspected = gradlens_json("inspect", net, "--json", "--jsonl", log)
        analyzed = gradlens_json("analyze", log, "--json")
        self.assertEqual(findings(analyzed), findings(inspected), net.name)
        return log, inspected

    def test_examples(self):
        with TempDir() as folder:
            shutil.copytree(ROOT / "examples", folder, dirs_exist_ok=True)  # logs beside the .net files
            for net in sorted(folder.glob("*.net")):
                with self.subTest(net.name):
                    self.check(folder, net)

    def test_hidden_networks(self):
        with TempDir() as folder:
            for name in hidden_nets.NETS:
                with self.subTest(name):
                    self.check(folder, hidden_nets.write(folder, name))

    def test_without_the_net_file_findings_have_no_line(self):
        with TempDir() as folder:
            net = hidden_nets.write(folder, "stacked-recurrent")
            log, inspected = self.check(folder, net)
            lines = log.read_text().splitlines()
            header = json.loads(lines[0])
            del header["source"]  # a log of no .net file, as a PyTorch script's
            log.write_text("\n".join([json.dumps(header)] + lines[1:]) + "\n")
            report = json.loads(gradlens("analyze", log, "--json").stdout)
            # The header alone builds the recurrent layers as such (no init finding of a dense layer).
            self.assertEqual(sorted((f["code"], f.get("layer")) for f in report["findings"]),
                             sorted((f["code"], f.get("layer")) for f in inspected["findings"]))
            self.assertTrue(report["findings"])
            for finding in report["findings"]:
                self.assertNotIn("line", finding)
                if "layer" in finding:
                    self.assertEqual(finding["layerName"], report["spec"]["layers"][finding["layer"]]["name"])


if __name__ == "__main__":
    unittest.main()
