package org.unionfsjava.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One union filesystem under test and how to mount it. */
enum UnionSystem {
  KERNEL("kernel", "kernel overlayfs", false, false),
  FUSE_OVERLAYFS("fuse-overlayfs", "fuse-overlayfs", true, true),
  UNIONFS_FUSE("unionfs-fuse", "unionfs-fuse", true, true),
  UJ("unionfs-java", "unionfs-java", true, false),
  UJ_FIXED("unionfs-java-fixed", "unionfs-java --lower-mode fixed", true, false),
  /** The libfuse2 adapter (-Dunionfs.fuse=2), fixed lower mode: what the libfuse 3 binding gains. */
  UJ_LIBFUSE2_FIXED("unionfs-java-libfuse2-fixed", "unionfs-java --lower-mode fixed on libfuse2", true, false);

  final String id;
  final String label;
  /** A FUSE daemon runs as our child in the foreground; its PID is known. */
  final boolean fuse;
  /** One of the FUSE peers whose best median unionfs-java is compared with. */
  final boolean peer;

  UnionSystem(String id, String label, boolean fuse, boolean peer) {
    this.id = id;
    this.label = label;
    this.fuse = fuse;
    this.peer = peer;
  }

  boolean isUnionfsJava() {
    return this == UJ || this == UJ_FIXED || this == UJ_LIBFUSE2_FIXED;
  }

  static UnionSystem byId(String id) {
    for (UnionSystem s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown system " + id + "; known: kernel, fuse-overlayfs, "
        + "unionfs-fuse, unionfs-java, unionfs-java-fixed, unionfs-java-libfuse2-fixed");
  }

  /** Why this system cannot run here, or null. */
  String missing(Path repo) {
    return switch (this) {
      case KERNEL -> Files.isReadable(Path.of("/proc/filesystems")) && readFs().contains("overlay")
          ? null : "no overlay in /proc/filesystems (modprobe overlay)";
      case FUSE_OVERLAYFS -> onPath("fuse-overlayfs") ? null : "fuse-overlayfs not installed";
      case UNIONFS_FUSE -> onPath("unionfs") ? null : "unionfs (unionfs-fuse) not installed";
      case UJ, UJ_FIXED, UJ_LIBFUSE2_FIXED -> Files.isRegularFile(repo.resolve("cli/target/unionfs-java-cli.jar"))
          ? null : "unionfs-java is not built (scripts/build)";
    };
  }

  /**
   * The command that mounts; FUSE daemons stay in the foreground (our child) so that they can be
   * ended by PID. The kernel's is a plain mount(8).
   */
  List<String> command(Path repo, Path lower, Path upper, Path work, Path mnt) {
    List<String> c = new ArrayList<>();
    switch (this) {
      case KERNEL -> c.addAll(List.of("mount", "-t", "overlay", "overlay", "-o",
          "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, mnt.toString()));
      case FUSE_OVERLAYFS -> c.addAll(List.of("fuse-overlayfs", "-f", "-o",
          "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, mnt.toString()));
      case UNIONFS_FUSE -> c.addAll(List.of("unionfs", "-f", "-o", "cow,allow_other",
          upper + "=RW:" + lower + "=RO", mnt.toString()));
      case UJ, UJ_FIXED, UJ_LIBFUSE2_FIXED -> {
        c.addAll(List.of(repo.resolve("bin/unionfs-java").toString(), "mount", "--foreground",
            "--upper", upper.toString(), "--lower", lower.toString()));
        if (this == UJ_FIXED || this == UJ_LIBFUSE2_FIXED) {
          c.addAll(List.of("--lower-mode", "fixed"));
        }
        c.add(mnt.toString());
      }
    }
    return c;
  }

  private static String readFs() {
    try {
      return Files.readString(Path.of("/proc/filesystems"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  static boolean onPath(String cmd) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, cmd))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", cmd)) || Files.isExecutable(Path.of("/sbin", cmd));
  }
}
