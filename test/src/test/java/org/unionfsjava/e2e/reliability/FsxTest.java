package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * fsx-style: seeded random read / write / truncate (grow and shrink) / mmap read / mmap write
 * (Java MappedByteBuffer, MAP_SHARED) / fsync / msync / close-and-reopen on ONE file, every result
 * checked against an in-memory model of the content: each read and mapped read byte for byte,
 * the size (stat through the mount) after every operation, the whole file every 200 operations
 * and after reopening, and finally after an unmount and a mount (the upper holds the model). The
 * file starts in the lower (256 KiB), so the first write copies it up. CI: 5000 operations per
 * format; {@code -Dunionfs.long=true}: 100 000. The same seed run on a plain directory checks the
 * harness. On a mismatch the message has the seed and the last 30 operations.
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@DisplayName("fsx: random read/write/truncate/mmap on one file against a model")
class FsxTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  static final int OPS = Integer.getInteger("unionfs.rel.fsxOps", LONG ? 100_000 : 5000);
  static final int MAX_SIZE = 1 << 20;
  static final int START_SIZE = 256 * 1024;

  /** The model and the operation log of one run. */
  static final class Fsx {
    final Path file;
    final Random rnd;
    final long seed;
    byte[] model;
    final Deque<String> log = new ArrayDeque<>();
    final Map<String, Integer> counts = new TreeMap<>();
    RandomAccessFile raf;
    FileChannel ch;

    Fsx(Path file, long seed, byte[] start) {
      this.file = file;
      this.seed = seed;
      this.rnd = new Random(seed);
      this.model = start.clone();
    }

    void note(String op) {
      log.addLast(op);
      if (log.size() > 30) {
        log.removeFirst();
      }
      counts.merge(op.substring(0, op.indexOf(' ') < 0 ? op.length() : op.indexOf(' ')), 1, Integer::sum);
    }

    AssertionError failure(String what) {
      return new AssertionError("[seed " + seed + "] " + file + ": " + what + "\nlast operations:\n  "
          + String.join("\n  ", log));
    }

    void open() throws IOException {
      raf = new RandomAccessFile(file.toFile(), "rw");
      ch = raf.getChannel();
    }

    void close() throws IOException {
      ch.close();
      raf.close();
    }

    void run(int ops) throws IOException {
      open();
      try {
        for (int i = 0; i < ops; i++) {
          step(i);
          long size = Files.size(file);
          if (size != model.length) {
            throw failure("stat size " + size + ", model " + model.length + " after op " + i);
          }
          if (i % 200 == 199) {
            verifyAll("periodic check after op " + i);
          }
        }
        ch.force(true);
      } finally {
        close();
      }
      verifyAll("after close");
    }

    void verifyAll(String when) throws IOException {
      byte[] got = Files.readAllBytes(file);
      if (!Arrays.equals(model, got)) {
        throw failure(when + ": content differs at byte " + Arrays.mismatch(model, got) + " (size " + got.length
            + ", model " + model.length + ")");
      }
    }

    private void step(int i) throws IOException {
      int size = model.length;
      switch (rnd.nextInt(10)) {
        case 0, 1 -> { // read
          int off = size == 0 ? 0 : rnd.nextInt(size + 1);
          int len = rnd.nextInt(65536);
          note("read " + len + "@" + off);
          ByteBuffer buf = ByteBuffer.allocate(len);
          while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
            // until EOF or full
          }
          byte[] want = Arrays.copyOfRange(model, Math.min(off, size), Math.min(off + len, size));
          byte[] got = Arrays.copyOf(buf.array(), buf.position());
          if (!Arrays.equals(want, got)) {
            throw failure("read " + len + "@" + off + " differs at " + Arrays.mismatch(want, got));
          }
        }
        case 2, 3 -> { // write, maybe past the end (a hole)
          int off = rnd.nextInt(Math.min(MAX_SIZE - 1, size + 65536));
          int len = 1 + rnd.nextInt(Math.min(65536, MAX_SIZE - off));
          byte[] data = new byte[len];
          rnd.nextBytes(data);
          note("write " + len + "@" + off);
          ByteBuffer buf = ByteBuffer.wrap(data);
          while (buf.hasRemaining()) {
            ch.write(buf, off + buf.position());
          }
          model = ExpectedTree.patched(model, off, data, len);
        }
        case 4 -> { // truncate: shrink or grow
          int len = rnd.nextInt(MAX_SIZE);
          note("truncate " + len);
          raf.setLength(len);
          model = Arrays.copyOf(model, len);
        }
        case 5 -> { // mapped read
          if (size == 0) {
            return;
          }
          int off = rnd.nextInt(size);
          int len = 1 + rnd.nextInt(Math.min(65536, size - off));
          note("mapread " + len + "@" + off);
          MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, off, len);
          byte[] got = new byte[len];
          m.get(got);
          unmap(m);
          byte[] want = Arrays.copyOfRange(model, off, off + len);
          if (!Arrays.equals(want, got)) {
            throw failure("mapread " + len + "@" + off + " differs at " + Arrays.mismatch(want, got));
          }
        }
        case 6, 7 -> { // mapped write; grows the file first if needed, as fsx does
          int off = rnd.nextInt(Math.min(MAX_SIZE - 1, size + 65536));
          int len = 1 + rnd.nextInt(Math.min(65536, MAX_SIZE - off));
          byte[] data = new byte[len];
          rnd.nextBytes(data);
          note("mapwrite " + len + "@" + off);
          if (off + len > size) {
            raf.setLength(off + len);
            model = Arrays.copyOf(model, off + len);
          }
          MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, off, len);
          m.put(data);
          if (rnd.nextBoolean()) {
            m.force(); // msync
          }
          unmap(m);
          model = ExpectedTree.patched(model, off, data, len);
        }
        case 8 -> {
          note("fsync");
          ch.force(rnd.nextBoolean());
        }
        default -> {
          note("close+reopen");
          close();
          verifyAll("after close+reopen");
          open();
        }
      }
    }
  }

  /** Unmaps at once (JDK-internal cleaner; otherwise the GC would, much later). */
  static void unmap(MappedByteBuffer m) {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      Method clean = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
      clean.invoke(unsafe, m);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot unmap", e);
    }
  }

  private static long seed() {
    return Long.getLong("unionfs.rel.seed", System.nanoTime());
  }

  @Test
  @DisplayName("harness self-check: the same seed on a plain directory")
  void plainDirectory_modelHolds(@TempDir Path tmp) throws Exception {
    long seed = seed();
    byte[] start = Fixture.bytes(START_SIZE, seed);
    Path f = Fixture.file(tmp.resolve("fsx.dat"), start);
    Fsx fsx = new Fsx(f, seed, start);
    fsx.run(Math.min(OPS, 3000));
    System.out.println("FsxTest plain [seed " + seed + "]: " + fsx.counts);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void randomOpsOnOneFile_contentAlwaysMatchesModel_andSurvivesRemount(UnionSystem system, @TempDir Path tmp)
      throws Exception {
    SystemSelection.assumeSelected(system);
    long seed = seed();
    byte[] start = Fixture.bytes(START_SIZE, seed);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Fixture.file(u.lower(1).resolve("dir/fsx.dat"), start);
      Map<String, String> lower = BranchChecksum.of(u.lower(1));
      u.mount();
      Fsx fsx = new Fsx(u.at("dir/fsx.dat"), seed, start);
      long t0 = System.nanoTime();
      fsx.run(OPS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      u.unmount();
      assertArrayEquals(fsx.model, Files.readAllBytes(u.upper().resolve("dir/fsx.dat")),
          "[seed " + seed + "] the upper holds the model's content");
      u.mount();
      try {
        fsx.verifyAll("after unmount and mount");
      } catch (AssertionError e) {
        fail(e.getMessage());
      }
      u.unmount();
      assertEquals(java.util.List.of(), BranchChecksum.diff(lower, BranchChecksum.of(u.lower(1))), "lower unchanged");
      System.out.println("FsxTest " + system + " [seed " + seed + "]: " + OPS + " ops in " + ms + " ms " + fsx.counts
          + ", final size " + fsx.model.length);
    }
  }
}
