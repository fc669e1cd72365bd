package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small facts about branches and mounts the "beyond overlayfs" tests (package
 * {@code e2e.beyond}) need and the other support classes do not offer: how many regular files a
 * branch holds (the union's work directory left out), whether a branch holds a whiteout for a
 * name in a given format, st_blocks, the bytes at an offset, timing, and a mount's picture with
 * unionfs-java's work directory left out (for comparing with kernel overlayfs over the same
 * upper, which shows that directory as an ordinary one).
 */
public final class BeyondFacts {
  /** unionfs-java's work directory at the upper's root. */
  public static final String WORK_DIR = ".unionfs-java";
  /**
   * JVM options for a daemon started through {@link RelUnion#javaOpts}: C1 only, which mounts
   * several times faster on a busy two-CPU machine (see RelUnion) with the same semantics.
   */
  public static final String FAST_START = "-XX:TieredStopAtLevel=1";

  private BeyondFacts() {}

  /**
   * Regular files under {@code root} that hold user data: the work directory at its top and the
   * aufs format's markers ({@code .wh.*}: whiteouts, opaque and redirect markers) left out.
   */
  public static long countRegularFiles(Path root) {
    long[] n = {0};
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.equals(root.resolve(WORK_DIR)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(".wh.")) {
            n[0]++;
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n[0];
  }

  /**
   * True if the upper directory {@code dir} holds a whiteout for {@code name} in the format
   * ({@code "overlay"}: a character device 0/0 named NAME; {@code "aufs"}: a file {@code .wh.NAME}).
   */
  public static boolean hasWhiteout(String format, Path dir, String name) {
    if ("aufs".equals(format)) {
      return Files.isRegularFile(dir.resolve(".wh." + name), LinkOption.NOFOLLOW_LINKS);
    }
    Path p = dir.resolve(name);
    if (!Fixture.exists(p)) {
      return false;
    }
    Fixture.Stat st = Fixture.stat(p);
    return st.kind().equals("char") && st.rdev() == 0;
  }

  /** Makes a whiteout for {@code name} in an upper directory directly (the union not mounted). */
  public static void makeWhiteout(String format, Path dir, String name) {
    if ("aufs".equals(format)) {
      Fixture.file(dir.resolve(".wh." + name), new byte[0]);
    } else {
      Fixture.dir(dir);
      Syscalls.mknod(dir.resolve(name), Syscalls.S_IFCHR | 0600, 0, 0).requireOk();
    }
  }

  /** st_blocks (512-byte units) of a path, from stat(1). */
  public static long blocks(Path p) {
    Processes.Result r = Processes.run(Duration.ofSeconds(30), "stat", "-c", "%b", p.toString())
        .requireSuccess("stat " + p);
    return Long.parseLong(r.stdout().trim());
  }

  /** {@code n} bytes of a file at an offset (fewer at the end of the file). */
  public static byte[] readAt(Path p, long offset, int n) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining()) {
        int r = ch.read(buf, offset + buf.position());
        if (r < 0) {
          break;
        }
      }
      byte[] out = new byte[buf.position()];
      buf.flip().get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes bytes into an existing file at an offset, without truncating it. */
  public static void writeAt(Path p, long offset, byte[] data) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf, offset + buf.position());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Something that may throw, for {@link #time}. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /** How long an action took, in nanoseconds. */
  public static long time(Action a) {
    long t0 = System.nanoTime();
    try {
      a.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return System.nanoTime() - t0;
  }

  /** Milliseconds, for messages. */
  public static String ms(long nanos) {
    return String.format("%.1f ms", nanos / 1e6);
  }

  /**
   * The picture ({@link TreeSnapshot}) of a mount with unionfs-java's work directory at the root
   * left out: kernel overlayfs over an upper written by unionfs-java shows it.
   */
  public static Map<String, String> treeWithoutWorkDir(Path mnt) {
    Map<String, String> out = new TreeMap<>(TreeSnapshot.of(mnt, false));
    out.keySet().removeIf(k -> k.equals(WORK_DIR) || k.startsWith(WORK_DIR + "/"));
    return out;
  }

  /**
   * Mounts kernel overlayfs ({@code redirect_dir=on,metacopy=on}) over the branches of a
   * unionfs-java {@link TestUnion} that is unmounted, at the same mount point; close it before
   * mounting unionfs-java again.
   */
  public static TestUnion kernelOver(TestUnion javaUnion) {
    return kernelOver(javaUnion.root(), javaUnion.lowers().size());
  }

  /** As {@link #kernelOver(TestUnion)} for a {@link RelUnion} (same layout: lowerN, upper, mnt). */
  public static TestUnion kernelOver(RelUnion javaUnion) {
    return kernelOver(javaUnion.root(), javaUnion.lowers().size());
  }

  private static TestUnion kernelOver(Path root, int lowers) {
    // TestUnion.create makes its directories only if missing: the same root gives the same
    // branches (plus the kernel's work directory beside them)
    return TestUnion.create(root, lowers, UnionSystem.KERNEL_OVERLAY).mount();
  }

  /** Bounded polling: true once the condition holds, false after the timeout. */
  public static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * A cheap fingerprint of a branch for lowers holding GiB-sized sparse files, where {@link
   * BranchChecksum} would hash every byte: for every path its kind, mode, owner, size, st_blocks,
   * inode, link count, mtime and ctime in nanoseconds and its xattr names. Any write, truncate,
   * chmod, chown, utimes, xattr change, link or rename changes the ctime or another field.
   */
  public static Map<String, String> statPrint(Path root) {
    Map<String, String> out = new TreeMap<>();
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Map<String, Object> a = Files.readAttributes(p,
            "unix:mode,uid,gid,size,ino,nlink,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        out.put(root.relativize(p).toString(), a.get("mode") + " " + a.get("uid") + ":" + a.get("gid")
            + " size=" + a.get("size") + " blocks=" + blocks(p) + " ino=" + a.get("ino") + " nlink=" + a.get("nlink")
            + " mtime=" + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toInstant()
            + " ctime=" + ((java.nio.file.attribute.FileTime) a.get("ctime")).toInstant()
            + " xattrs=" + new java.util.TreeSet<>(PosixExtras.listXattrs(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Makes a sparse file of {@code size} bytes (ftruncate) with {@code data} written at each offset. */
  public static Path sparseFile(Path p, long size, byte[] data, long... offsets) {
    try {
      Files.createDirectories(p.getParent());
      try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
        f.setLength(size);
        for (long off : offsets) {
          f.seek(off);
          f.write(data);
        }
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
