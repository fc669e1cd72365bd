package org.unionfsjava.bench;

/**
 * The sizes of one benchmark mode. {@code full} is the size the issue asks for; {@code quick}
 * finishes in minutes; {@code tiny} is for the smoke test (seconds, numbers meaningless).
 */
record Sizes(
    String mode,
    int reps,
    int treeDirs, // directories of the stat tree (two levels)
    int treeFilesPerDir,
    int bigdirLower, // names of the merged directory that live in the lower
    int bigdirUpper, // ... and in the (fresh) upper
    int negNames, // missing names looked up in each of the 10 PATH-like directories
    int openCloseFiles,
    int seqMiB, // the sequential-read file (also chmod-1g on ext4)
    int randMiB, // total bytes read by the random-read workloads
    int writeMiB, // the sequential-write file
    int copyupMiB, // the copy-up file (append one byte)
    int smallFiles, // create + 4 KiB write + fsync
    int tarFiles, // files in the generated source tarball
    int rmFiles, // files in the rm -rf subtree
    int mvFiles, // files in the directory that is renamed (issue 3)
    int bigMiB, // chmod-1g / append-1g files (issue 3)
    int xfsImageMiB, // sparse xfs image for the reflink rows
    int timeoutSeconds) { // per workload command

  static Sizes of(String mode) {
    return switch (mode) {
      case "full" -> new Sizes("full", 5, 5000, 10, 10_000, 10_000, 2000, 10_000, 1024, 64, 1024,
          512, 1000, 20_000, 10_000, 10_000, 1024, 12_288, 900);
      case "quick" -> new Sizes("quick", 3, 500, 10, 2000, 2000, 400, 1000, 128, 16, 128, 64, 100,
          2000, 1000, 1000, 128, 2048, 180);
      case "tiny" -> new Sizes("tiny", 1, 20, 5, 40, 40, 10, 40, 2, 1, 2, 2, 10, 60, 40, 40, 2, 512,
          60);
      default -> throw new IllegalArgumentException("unknown mode " + mode + " (full, quick, tiny)");
    };
  }

  int treeFiles() {
    return treeDirs * treeFilesPerDir;
  }
}
