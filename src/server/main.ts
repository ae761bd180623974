// Entry point under construction; replaced by its owner's first commit.
export {};
