package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * The two FUSE libraries the daemon runs on (docs/architecture.md): libfuse 3's low-level API
 * through the union's own binding, the default, and libfuse2 through jnr-fuse ({@code
 * -Dunionfs.fuse=2}). On libfuse 3, in fixed lower mode, where the kernel keeps directory
 * listings, every change made through the mount shows in the next listing of its directory (the
 * kernel drops a kept listing when the directory changes through FUSE); and racing renames and
 * unlinks never make a call answer ESTALE, which libfuse 3's high-level API did.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("FUSE libraries: libfuse 3 by default, libfuse2 on request; kept listings, no ESTALE under races")
class FuseLibraryTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void fixedMode_listingsFollowChanges_dataAndWhiteoutsInTheUpper(UnionSystem system) throws IOException {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Fixture.file(u.lower(1).resolve("d/a"), "lower a");
      Fixture.file(u.lower(1).resolve("d/b"), "lower b");
      Fixture.file(u.lower(1).resolve("e/c"), "lower c");
      u.withArgs("--lower-mode", "fixed").mount();

      String maps = Files.readString(Path.of("/proc/" + u.pid() + "/maps"));
      assertTrue(maps.contains("libfuse3.so.3"), "the daemon mapped libfuse3.so.3");
      assertFalse(maps.contains("libfuse.so.2"), "and not libfuse.so.2");

      Path d = u.at("d");
      assertEquals(List.of("a", "b"), names(d));
      assertEquals(List.of("a", "b"), names(d), "a second listing (kept by the kernel) is the same");
      assertEquals("lower a", Files.readString(d.resolve("a")));

      Files.writeString(d.resolve("new"), "new file");
      assertEquals(List.of("a", "b", "new"), names(d), "create shows");
      Files.delete(d.resolve("a"));
      assertEquals(List.of("b", "new"), names(d), "unlink of a lower file shows");
      Files.move(u.at("e/c"), d.resolve("moved"));
      assertEquals(List.of("b", "moved", "new"), names(d), "a rename into the directory shows");
      assertEquals(List.of(), names(u.at("e")), "and out of the other one");
      Files.createDirectory(d.resolve("sub"));
      Files.writeString(d.resolve("b"), "upper b");
      assertEquals(List.of("b", "moved", "new", "sub"), names(d), "mkdir shows");

      assertEquals("upper b", Files.readString(d.resolve("b")), "copy-up on write");
      assertEquals("lower c", Files.readString(d.resolve("moved")));
      assertArrayEquals("new file".getBytes(StandardCharsets.UTF_8),
          Files.readAllBytes(u.upper().resolve("d/new")), "new data in the upper");
      assertEquals("lower a", Files.readString(u.lower(1).resolve("d/a")), "the lower unchanged");
      assertEquals(List.of("a", "b"), names(u.lower(1).resolve("d")), "the lower's listing unchanged");
    }
  }

  /**
   * In fixed lower mode the daemon answers the first OPENDIR with ENOSYS and the kernel opens
   * directories itself from then on, keeping their listings: libfuse's request trace shows one
   * OPENDIR for the whole mount, no RELEASEDIR, and a directory of 3,000 names (many READDIRPLUS
   * answers, read without a handle) listed whole and in the same order each time, read from the
   * daemon once until it changes.
   */
  @Test
  void fixedMode_directoriesOpenWithoutTheDaemon_listingsWholeAndReadOnce() throws IOException {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        String name = String.format("file-with-a-longer-name-%05d", i);
        Fixture.file(u.lower(1).resolve("big/" + name), "x");
        expected.add(name);
      }
      Fixture.file(u.lower(1).resolve("other/a"), "a");
      u.withArgs("--lower-mode", "fixed", "--fuse-debug").mount();

      Path big = u.at("big");
      List<String> first = listed(big);
      assertEquals(expected, sorted(first), "every name listed once");
      int readsAfterFirst = count(u.daemonOutput(), "opcode: READDIR");
      assertTrue(readsAfterFirst > 3, "the listing took several READDIR(PLUS) answers: " + readsAfterFirst);
      for (int i = 0; i < 3; i++) {
        assertEquals(first, listed(big), "listing " + (i + 2) + ": the same names in the same order");
      }
      assertEquals(readsAfterFirst, count(u.daemonOutput(), "opcode: READDIR"), "repeat listings came from the kernel");
      assertEquals(List.of("a"), names(u.at("other")));
      String trace = u.daemonOutput();
      assertEquals(1, count(trace, "opcode: OPENDIR "), "one OPENDIR for the mount (answered ENOSYS)");
      assertEquals(0, count(trace, "opcode: RELEASEDIR "), "no RELEASEDIR");
      int reads = count(trace, "opcode: READDIR");

      Files.writeString(big.resolve("zz-new"), "new");
      Files.delete(big.resolve(expected.get(0)));
      List<String> changed = new ArrayList<>(expected.subList(1, expected.size()));
      changed.add("zz-new");
      assertEquals(changed, sorted(listed(big)), "after create and unlink the kernel lists again");
      assertTrue(count(u.daemonOutput(), "opcode: READDIR") > reads, "from the daemon");
    }
  }

  private static List<String> listed(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    Collections.sort(copy);
    return copy;
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void libfuse2OnRequest_servesTheSameTree() throws IOException {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Fixture.file(u.lower(1).resolve("d/a"), "lower a");
      u.javaOpts("-Dunionfs.fuse=2").mount();
      String maps = Files.readString(Path.of("/proc/" + u.pid() + "/maps"));
      assertTrue(maps.contains("libfuse.so.2"), "the daemon mapped libfuse.so.2");
      assertFalse(maps.contains("libfuse3.so.3"), "and not libfuse3.so.3");
      Files.writeString(u.at("d/a"), "upper a");
      Files.writeString(u.at("d/new"), "new");
      assertEquals(List.of("a", "new"), names(u.at("d")));
      assertEquals("upper a", Files.readString(u.upper().resolve("d/a")));
      assertEquals("lower a", Files.readString(u.lower(1).resolve("d/a")));
    }
  }

  /**
   * Three threads open, stat and list names that three others keep renaming, unlinking and
   * recreating. Losing a race may answer ENOENT (the name went away), never ESTALE: a node a
   * concurrent change detached is answered from the union's own node table. The libfuse 3
   * high-level binding this replaced answered ESTALE to about 1 in 600 such calls.
   */
  @ParameterizedTest(name = "{0} loop")
  @ValueSource(strings = {"single", "multi"})
  void racingRenamesAndUnlinks_neverEstale(String threads) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      for (int i = 0; i < 8; i++) {
        Fixture.file(u.lower(1).resolve("d/f" + i), "lower " + i);
      }
      u.javaOpts("-Dunionfs.fuse3.threads=" + threads).mount();
      Path d = u.at("d");
      AtomicLong calls = new AtomicLong();
      AtomicLong gone = new AtomicLong();
      List<String> problems = Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          int seed = t;
          done.add(pool.submit(() -> race(end, calls, gone, problems, () -> {
            Path f = d.resolve("f" + ThreadLocalRandom.current().nextInt(8));
            try (InputStream in = Files.newInputStream(f)) {
              in.read();
            }
            Files.readAttributes(f, "unix:ino,mode");
            try (Stream<Path> s = Files.list(d)) {
              s.limit(4 + seed).forEach(p -> p.toFile().length());
            }
          })));
          done.add(pool.submit(() -> race(end, calls, gone, problems, () -> {
            int i = ThreadLocalRandom.current().nextInt(8);
            Path f = d.resolve("f" + i);
            Path g = d.resolve("f" + ((i + 1) % 8));
            switch (ThreadLocalRandom.current().nextInt(3)) {
              case 0 -> Files.move(f, g, StandardCopyOption.REPLACE_EXISTING);
              case 1 -> Files.delete(f);
              default -> Files.writeString(f, "new " + i);
            }
          })));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(List.of(), problems, "calls that failed other than with ENOENT (ESTALE among them)");
      assertTrue(gone.get() > 100, "the races were run: " + gone.get() + " of " + calls.get() + " calls lost one (ENOENT)");
    }
  }

  /**
   * Four threads reading random 128 KiB blocks of a lower file and of its copied-up twin (the
   * kernel's read-ahead keeps several reads in flight) get exactly the bytes at their offsets.
   */
  @Test
  void parallelReads_rightBytesAtEveryOffset() throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      byte[] data = new byte[16 << 20];
      for (int i = 0; i < data.length; i += 4) {
        int v = i * 31 + 7;
        data[i] = (byte) (v >>> 24);
        data[i + 1] = (byte) (v >>> 16);
        data[i + 2] = (byte) (v >>> 8);
        data[i + 3] = (byte) v;
      }
      Files.createDirectories(u.lower(1).resolve("d"));
      Files.write(u.lower(1).resolve("d/lower.bin"), data);
      Files.write(u.lower(1).resolve("d/copied.bin"), data);
      u.mount();
      Files.write(u.at("d/copied.bin"), new byte[0], StandardOpenOption.APPEND); // copy-up
      ExecutorService pool = Executors.newFixedThreadPool(4);
      AtomicLong reads = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Path f = u.at(t % 2 == 0 ? "d/lower.bin" : "d/copied.bin");
          done.add(pool.submit(() -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
              ByteBuffer buf = ByteBuffer.allocate(128 << 10);
              while (System.nanoTime() < end) {
                int off = ThreadLocalRandom.current().nextInt(data.length - buf.capacity());
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
                  // until full
                }
                assertArrayEquals(Arrays.copyOfRange(data, off, off + buf.capacity()), buf.array(),
                    f + " at offset " + off);
                reads.incrementAndGet();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertTrue(reads.get() > 100, "reads done: " + reads.get());
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs a step until the end; ENOENT counts as a lost race, ESTALE and anything else is kept. */
  private static void race(long end, AtomicLong calls, AtomicLong gone, List<String> problems, Step step) {
    while (System.nanoTime() < end) {
      calls.incrementAndGet();
      try {
        step.run();
      } catch (IOException | java.io.UncheckedIOException e) {
        Throwable cause = e instanceof java.io.UncheckedIOException ? e.getCause() : e;
        if (cause instanceof NoSuchFileException) {
          gone.incrementAndGet();
        } else {
          problems.add(e.toString());
        }
      }
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new))
          .stream().toList();
    }
  }
}
