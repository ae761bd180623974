"""`gradlens analyze RUN.jsonl` on PyTorch runs: a two-process DistributedDataParallel run
(gloo, CPU) of a deep sigmoid MLP is flagged, a healthy ReLU MLP is clean; an exported
.net's run log is flagged on the .net lines; bad logs are exit code 2."""

import json
import socket
import unittest

from gradlens_test import ROOT, TempDir, gradlens, python
from test_export import export

HERE = ROOT / "test" / "python"


def ddp(kind, log, *extra):
    with socket.socket() as probe:  # a free port for the rendezvous
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    run = python(HERE / "ddp_train.py", kind, log, *extra, env={"MASTER_PORT": port})
    if run.returncode != 0:
        raise AssertionError(f"DDP run failed: {run.stderr}")
    return run


class DistributedRuns(unittest.TestCase):
    def test_deep_sigmoid_is_flagged_and_relu_is_clean(self):
        with TempDir() as folder:
            ddp("deep-sigmoid", folder / "sigmoid.jsonl")
            ddp("relu", folder / "relu.jsonl")
            self.assertFalse((folder / "sigmoid.rank1.jsonl").exists())  # only rank 0 writes

            flagged = gradlens("analyze", folder / "sigmoid.jsonl", "--json", "--fail-on", "vanishing")
            self.assertEqual(flagged.returncode, 1, flagged.stderr)
            report = json.loads(flagged.stdout)
            vanishing = [f for f in report["findings"] if f["code"] == "vanishing-gradient"]
            self.assertTrue(vanishing)
            self.assertTrue(all(f["layerName"].startswith("") and "module." not in f["layerName"] for f in vanishing))
            self.assertIn(vanishing[0]["layerName"], ("0", "2", "4"))  # the first Linear layers of the Sequential
            self.assertEqual(report["worldSize"], 2)
            self.assertEqual(report["run"]["steps"], 80)

            text = gradlens("analyze", folder / "sigmoid.jsonl")
            self.assertEqual(text.returncode, 0)
            self.assertIn("vanishing-gradient", text.stdout)

            clean = gradlens("analyze", folder / "relu.jsonl", "--json", "--fail-on", "vanishing,exploding,nan,dead,saturated")
            self.assertEqual(clean.returncode, 0, clean.stdout)
            report = json.loads(clean.stdout)
            self.assertEqual([f for f in report["findings"] if f["severity"] != "information"], [])
            self.assertEqual([l["name"] for l in report["spec"]["layers"]], ["h1", "act1", "h2", "act2", "out"])

    def test_all_ranks_writes_a_file_per_rank_that_agree(self):
        with TempDir() as folder:
            ddp("relu", folder / "run.jsonl", "all_ranks")
            for name, rank in (("run.jsonl", 0), ("run.rank1.jsonl", 1)):
                lines = (folder / name).read_text().splitlines()
                header = json.loads(lines[0])
                self.assertEqual((header["rank"], header["worldSize"]), (rank, 2))
                self.assertFalse(any("ranksDiffer" in line for line in lines))  # all-reduced: equal
                self.assertEqual(json.loads(lines[-1])["reason"], "done")


class ExportedRuns(unittest.TestCase):
    def test_findings_land_on_the_net_lines(self):
        with TempDir() as folder:
            script = export(folder, ROOT / "examples" / "deep-sigmoid.net")
            run = python(script, "--steps", "60", "--gradlens", folder / "run.jsonl")
            self.assertEqual(run.returncode, 0, run.stderr)
            result = gradlens("analyze", folder / "run.jsonl", "--json")
            report = json.loads(result.stdout)
        self.assertEqual(report["source"], str(ROOT / "examples" / "deep-sigmoid.net"))
        vanishing = [f for f in report["findings"] if f["code"] == "vanishing-gradient"]
        self.assertTrue(vanishing)
        # `repeat 12 { dense 32 sigmoid init=normal(0, 1) }` is on line 10 (0-based 9).
        self.assertTrue(all(f["line"] == 9 for f in vanishing), [f["line"] for f in vanishing])


class EngineRuns(unittest.TestCase):
    def test_the_engine_log_gives_inspects_findings_and_exit_code(self):
        net = ROOT / "examples" / "deep-sigmoid.net"
        with TempDir() as folder:
            inspected = gradlens("inspect", net, "--json", "--jsonl", folder / "run.jsonl", "--fail-on", "vanishing")
            analysed = gradlens("analyze", folder / "run.jsonl", "--json", "--fail-on", "vanishing")
        self.assertEqual((inspected.returncode, analysed.returncode), (1, 1), analysed.stderr)
        codes = lambda report: sorted((f["code"], f["line"], f.get("layer")) for f in report["findings"])
        self.assertEqual(codes(json.loads(analysed.stdout)), codes(json.loads(inspected.stdout)))


class BadLogs(unittest.TestCase):
    def test_invalid_logs_are_exit_code_2_with_a_location(self):
        with TempDir() as folder:
            missing = gradlens("analyze", folder / "none.jsonl")
            self.assertEqual(missing.returncode, 2)
            self.assertIn("file-unreadable", missing.stderr)
            bad = folder / "bad.jsonl"
            bad.write_text('{"type":"header","format":"gradlens-runlog","version":1,"producer":"pytorch","layers":[]}\nnot json\n')
            result = gradlens("analyze", bad)
            self.assertEqual(result.returncode, 2)
            self.assertIn("bad.jsonl:2: runlog-invalid", result.stderr)
            headless = folder / "headless.jsonl"
            headless.write_text('{"type":"end","reason":"done","steps":0}\n')
            self.assertEqual(gradlens("analyze", headless).returncode, 2)

    def test_a_log_still_being_written_is_analysed_so_far(self):
        with TempDir() as folder:
            script = export(folder, ROOT / "examples" / "xor.net")
            python(script, "--steps", "5", "--gradlens", folder / "run.jsonl")
            lines = (folder / "run.jsonl").read_text().splitlines()
            partial = folder / "partial.jsonl"
            cut = len(lines) - 3
            partial.write_text("\n".join(lines[:cut]) + "\n" + lines[cut][:40])  # no end record, a half-written line
            steps = sum(1 for line in lines[:cut] if '"type":"step"' in line)
            result = gradlens("analyze", partial, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertFalse(report["run"]["ended"])
        self.assertEqual(report["run"]["steps"], steps)
        self.assertGreater(steps, 1)


if __name__ == "__main__":
    unittest.main()
