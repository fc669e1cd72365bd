package org.unionfsjava.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The deterministic data sets: same bytes, names and tarball for the same mode and generator
 * version. Cached under {@code BASE/data/MODE-vVERSION/}; a set without its completion marker,
 * or of another generator version, is deleted and built again.
 *
 * <pre>
 * lower/tree/aNN/bNNN/fNN          the stat tree (treeDirs dirs, treeFilesPerDir files each)
 * lower/bigdir/lNNNNN              lower half of the merged directory (upper half: {@link #fillUpper})
 * lower/path/bin0..bin9/cmdNN      PATH-like dirs for the negative lookups
 * lower/big/seq.bin                sequential/random reads; chmod-1g on ext4
 * lower/big/copyup.bin             copy-up: append one byte
 * lower/big/append.bin             append-1g (issue 3)
 * lower/rmt/victim/dNN/fNNNN       rm -rf subtree;  lower/rmt/keep/...  what the listing shows
 * lower/mvd/src/dNN/fNNNN          mv of a lower directory (issue 3)
 * openclose.list                   relative paths of files to open and close
 * src.tar                          a source-like tree, tarred reproducibly (GNU tar, sorted, fixed mtime)
 * xfs.img                          reflink-capable xfs: lower/big/{chmod,append}.bin, lower/mvd/src
 * </pre>
 */
final class DataSet {
  /** Bump whenever the generated content or layout changes: cached sets are then rebuilt. */
  static final int GENERATOR_VERSION = 1;
  static final int NEG_DIRS = 10;
  static final String MARKER = ".complete-v" + GENERATOR_VERSION;

  final Sizes sizes;
  final Path dir;
  final Path lower;
  final Path xfsImage;

  DataSet(Path base, Sizes sizes) {
    this.sizes = sizes;
    // the name changes with the generator version and with every size, so a stale set is never reused
    this.dir = base.resolve("data").resolve(sizes.mode() + "-v" + GENERATOR_VERSION + "-"
        + Integer.toHexString(sizes.toString().hashCode()));
    this.lower = dir.resolve("lower");
    this.xfsImage = dir.resolve("xfs.img");
  }

  /** Builds the ext4 part if missing or stale; prints what it does. */
  void ensure(Path log) throws IOException {
    Path data = dir.getParent();
    Files.createDirectories(data);
    try (Stream<Path> s = Files.list(data)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(sizes.mode() + "-v") && !p.equals(dir)) {
          Bench.say("removing data set of another generator version: " + p);
          deleteTree(p);
        }
      }
    }
    if (Files.exists(dir.resolve(MARKER))) {
      return;
    }
    Bench.say("building data set " + dir + " (once; cached for later runs)");
    long t0 = System.nanoTime();
    deleteTree(dir);
    Files.createDirectories(lower);
    buildLower(lower);
    buildTarball(log);
    Files.writeString(dir.resolve(MARKER), "generator " + GENERATOR_VERSION + "\n");
    Bench.say(String.format("data set built in %.1f s", (System.nanoTime() - t0) / 1e9));
  }

  private void buildLower(Path l) throws IOException {
    // the stat tree: two levels, names sort the same everywhere
    int top = Math.max(1, sizes.treeDirs() / 100);
    int per = sizes.treeDirs() / top;
    List<String> openList = new ArrayList<>();
    int n = 0;
    for (int a = 0; a < top; a++) {
      for (int b = 0; b < per; b++) {
        Path d = l.resolve(String.format("tree/a%02d/b%03d", a, b));
        Files.createDirectories(d);
        for (int f = 0; f < sizes.treeFilesPerDir(); f++) {
          Path file = d.resolve(String.format("f%02d", f));
          writeSmall(file, n, (int) ((n * 7919L) % 4096));
          if (openList.size() < sizes.openCloseFiles()) {
            openList.add(l.relativize(file).toString());
          }
          n++;
        }
      }
    }
    Files.write(dir.resolve("openclose.list"), openList);
    Path bigdir = Files.createDirectories(l.resolve("bigdir"));
    for (int i = 0; i < sizes.bigdirLower(); i++) {
      writeSmall(bigdir.resolve(String.format("l%06d", i)), i, 64);
    }
    for (int d = 0; d < NEG_DIRS; d++) {
      Path bin = Files.createDirectories(l.resolve("path/bin" + d));
      for (int i = 0; i < 50; i++) {
        writeSmall(bin.resolve(String.format("cmd%02d", i)), i, 100);
      }
    }
    Path big = Files.createDirectories(l.resolve("big"));
    writeBig(big.resolve("seq.bin"), sizes.seqMiB(), 1);
    writeBig(big.resolve("copyup.bin"), sizes.copyupMiB(), 2);
    writeBig(big.resolve("append.bin"), sizes.bigMiB(), 3);
    writeSubtree(l.resolve("rmt/victim"), sizes.rmFiles());
    writeSubtree(l.resolve("rmt/keep"), Math.max(10, sizes.rmFiles() / 10));
    writeSubtree(l.resolve("mvd/src"), sizes.mvFiles());
  }

  /** The part of the lower that the reflink rows use, written onto the mounted xfs image. */
  void buildXfsLower(Path l) throws IOException {
    Path big = Files.createDirectories(l.resolve("big"));
    writeBig(big.resolve("chmod.bin"), sizes.bigMiB(), 4);
    writeBig(big.resolve("append.bin"), sizes.bigMiB(), 5);
    writeSubtree(l.resolve("mvd/src"), sizes.mvFiles());
  }

  /** {@code files} files in 100 directories (fewer for tiny sets), 1 KiB each. */
  private static void writeSubtree(Path root, int files) throws IOException {
    int dirs = Math.max(1, Math.min(100, files / 10));
    int per = files / dirs;
    for (int d = 0; d < dirs; d++) {
      Path dd = Files.createDirectories(root.resolve(String.format("d%02d", d)));
      for (int f = 0; f < per; f++) {
        writeSmall(dd.resolve(String.format("f%04d", f)), d * per + f, 1024);
      }
    }
  }

  /** The upper half of the merged directory, written into each fresh upper before mounting. */
  void fillUpper(Path upper) throws IOException {
    Path bigdir = Files.createDirectories(upper.resolve("bigdir"));
    for (int i = 0; i < sizes.bigdirUpper(); i++) {
      writeSmall(bigdir.resolve(String.format("u%06d", i)), i, 64);
    }
  }

  private void buildTarball(Path log) throws IOException {
    Path src = dir.resolve("srctree");
    deleteTree(src);
    int files = sizes.tarFiles();
    int perDir = 15;
    for (int i = 0; i < files; i++) {
      int d = i / perDir;
      Path p = src.resolve(String.format("project/mod%02d/pkg%03d/Source%05d.java", d / 100, d % 100, i));
      Files.createDirectories(p.getParent());
      // source-like sizes: mostly a few KiB, some larger
      long h = mix(i);
      int size = 300 + (int) (Math.floorMod(h, 6000)) + (Math.floorMod(h >>> 20, 10) == 0 ? 20_000 : 0);
      writeText(p, i, size);
    }
    Proc.Result r = Proc.run(List.of("tar", "--sort=name", "--mtime=@1600000000", "--owner=0",
            "--group=0", "--numeric-owner", "--format=gnu", "-cf", dir.resolve("src.tar").toString(),
            "-C", src.toString(), "project"), Map.of(), Duration.ofMinutes(10), log);
    if (!r.ok()) {
      throw new IOException("tar of the source tree failed (see " + log + ")");
    }
    deleteTree(src);
  }

  private static void writeSmall(Path p, int seed, int size) throws IOException {
    byte[] b = new byte[size];
    String line = "entry " + seed + " of the unionfs-java benchmark\n";
    byte[] lb = line.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; i++) {
      b[i] = lb[i % lb.length];
    }
    Files.write(p, b);
  }

  private static void writeText(Path p, int seed, int size) throws IOException {
    StringBuilder sb = new StringBuilder(size + 80);
    long h = mix(seed);
    while (sb.length() < size) {
      h = mix(h);
      sb.append("    int v").append(Long.toHexString(h & 0xffffff)).append(" = compute(")
          .append(h >>> 40).append(");\n");
    }
    sb.setLength(size);
    Files.writeString(p, sb, StandardCharsets.US_ASCII);
  }

  /** A file of pseudo-random bytes (incompressible, no zero blocks), written 1 MiB at a time. */
  static void writeBig(Path p, int mib, long seed) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    long x = mix(seed);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (int m = 0; m < mib; m++) {
        buf.clear();
        while (buf.hasRemaining()) {
          x ^= x << 13;
          x ^= x >>> 7;
          x ^= x << 17;
          buf.putLong(x);
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
