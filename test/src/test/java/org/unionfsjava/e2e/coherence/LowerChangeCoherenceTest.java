package org.unionfsjava.e2e.coherence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * DESIGN §4 on a real mount: with {@code --cache-ttl 1s} in the default lower mode (changing), a
 * file added, changed or removed directly in a lower shows through the mount within the union's
 * TTL plus the kernel's timeouts, while an object in the upper (written through the mount) is
 * never replaced by a later change of the same name in the lower. Each observed delay is published
 * through the {@link TestReporter}. In fixed lower mode the mount is only checked to serve.
 */
@Timeout(90)
@DisplayName("coherence: direct lower changes show within the TTL, upper objects stay, on real mounts")
class LowerChangeCoherenceTest {
  /** How long a test waits for a lower change at most. */
  private static final Duration POLL_BOUND = Duration.ofSeconds(5);
  /** The delay allowed: TTL (1 s) + kernel attr/entry timeout (1 s) + slack. */
  private static final Duration ALLOWED = Duration.ofSeconds(3);
  /** How long an upper object is watched for being replaced (longer than TTL + kernel timeout). */
  private static final Duration WATCH = Duration.ofMillis(3500);

  @TempDir Path root;

  @BeforeAll
  static void fuseAvailable() {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse");
    assumeTrue(Files.isExecutable(TestUnion.launcher()), "needs the built launcher bin/unionfs-java");
  }

  static Stream<UnionSystem> systems() {
    return Stream.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS);
  }

  private static TestUnion changing(Path root, UnionSystem system) {
    return TestUnion.create(root, 1, system).withArgs("--cache-ttl", "1s");
  }

  private static void write(Path p, String content) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The content, or null if the name does not exist (any other error fails). */
  private static String readOrNull(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> names(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls every 20 ms until {@code seen} holds (at most {@link #POLL_BOUND}); returns the delay. */
  private static Duration awaitSeen(String what, BooleanSupplier seen) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + POLL_BOUND.toNanos();
    while (!seen.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not seen through the mount within " + POLL_BOUND);
      }
      Thread.sleep(20);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * Records a delay (the TestReporter for IDEs; surefire drops report entries, so also a line in
   * target/coherence-delays.tsv) and asserts it is within {@link #ALLOWED}.
   */
  private static void assertWithinAllowed(UnionSystem system, String what, Duration delay, TestReporter reporter) {
    reporter.publishEntry(system + " " + what + " delay ms", Long.toString(delay.toMillis()));
    try {
      Path target = Path.of("target");
      if (Files.isDirectory(target)) {
        Files.writeString(target.resolve("coherence-delays.tsv"),
            system + "\t" + what + "\t" + delay.toMillis() + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      reporter.publishEntry("delay record failed", e.toString());
    }
    assertTrue(delay.compareTo(ALLOWED) <= 0, what + " took " + delay.toMillis() + " ms, allowed " + ALLOWED.toMillis());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("a file added directly to the lower shows (lookup, read and readdir) within 3 s, though a lookup had just missed it")
  void lowerFileAdded_mountedChangingMode_visibleWithinTtl(UnionSystem system, TestReporter reporter) throws Exception {
    try (TestUnion u = changing(root, system)) {
      write(u.lower(1).resolve("dir/existing"), "x");
      u.mount();
      assertEquals(List.of("existing"), names(u.at("dir")));
      assertFalse(Files.exists(u.at("dir/new")), "missed once: the kernel and the union may cache the miss");

      write(u.lower(1).resolve("dir/new"), "added in the lower");
      Duration delay = awaitSeen("added file", () -> "added in the lower".equals(readOrNull(u.at("dir/new")))
          && names(u.at("dir")).contains("new"));

      assertWithinAllowed(system, "added", delay, reporter);
      assertEquals(List.of("existing", "new"), names(u.at("dir")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("a lower file rewritten in place (same inode, new size) shows its new content within 3 s, though it had just been read")
  void lowerFileChanged_mountedChangingMode_newContentWithinTtl(UnionSystem system, TestReporter reporter) throws Exception {
    try (TestUnion u = changing(root, system)) {
      write(u.lower(1).resolve("f"), "version one");
      u.mount();
      assertEquals("version one", readOrNull(u.at("f")));
      assertEquals(11, Files.size(u.at("f")));

      write(u.lower(1).resolve("f"), "version two, which is longer");
      Duration delay = awaitSeen("changed file", () -> "version two, which is longer".equals(readOrNull(u.at("f"))));

      assertWithinAllowed(system, "changed", delay, reporter);
      assertEquals(28, Files.size(u.at("f")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("a lower file rewritten in place with the same size shows its new content within 3 s (page cache revalidated)")
  void lowerFileChangedSameSize_mountedChangingMode_newContentWithinTtl(UnionSystem system, TestReporter reporter) throws Exception {
    try (TestUnion u = changing(root, system)) {
      write(u.lower(1).resolve("same"), "AAAAAAAA");
      u.mount();
      assertEquals("AAAAAAAA", readOrNull(u.at("same")));
      Thread.sleep(20); // a distinct mtime even on coarse clocks

      write(u.lower(1).resolve("same"), "BBBBBBBB");
      Duration delay = awaitSeen("same-size change", () -> "BBBBBBBB".equals(readOrNull(u.at("same"))));

      assertWithinAllowed(system, "same-size change", delay, reporter);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("a file removed directly from the lower disappears (lookup and readdir) within 3 s")
  void lowerFileRemoved_mountedChangingMode_goneWithinTtl(UnionSystem system, TestReporter reporter) throws Exception {
    try (TestUnion u = changing(root, system)) {
      write(u.lower(1).resolve("dir/gone"), "soon gone");
      write(u.lower(1).resolve("dir/stays"), "stays");
      u.mount();
      assertEquals("soon gone", readOrNull(u.at("dir/gone")));
      assertEquals(List.of("gone", "stays"), names(u.at("dir")));

      Files.delete(u.lower(1).resolve("dir/gone"));
      Duration delay = awaitSeen("removed file", () -> !Files.exists(u.at("dir/gone"))
          && !names(u.at("dir")).contains("gone"));

      assertWithinAllowed(system, "removed", delay, reporter);
      assertEquals(null, readOrNull(u.at("dir/gone")));
      assertEquals(List.of("stays"), names(u.at("dir")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("an upper file (copied up or created through the mount) is never replaced by a later lower change of its name")
  void upperFile_lowerChangesSameName_upperStays(UnionSystem system, TestReporter reporter) throws Exception {
    try (TestUnion u = changing(root, system)) {
      write(u.lower(1).resolve("copied"), "lower copied");
      write(u.lower(1).resolve("control"), "control one");
      u.mount();
      Files.writeString(u.at("copied"), "upper copied"); // O_TRUNC: copy-up
      Files.writeString(u.at("created"), "upper created"); // new name, upper only
      assertEquals("upper copied", readOrNull(u.at("copied")));
      assertEquals("upper created", readOrNull(u.at("created")));
      assertEquals("control one", readOrNull(u.at("control")));

      write(u.lower(1).resolve("copied"), "LOWER CHANGED AFTER THE COPY-UP");
      write(u.lower(1).resolve("created"), "LOWER CREATED AFTER THE UPPER");
      write(u.lower(1).resolve("control"), "control two"); // proves lower changes do get through

      long start = System.nanoTime();
      Duration controlSeen = null;
      List<String> wrong = new ArrayList<>();
      while (System.nanoTime() - start < WATCH.toNanos()) {
        String copied = readOrNull(u.at("copied"));
        String created = readOrNull(u.at("created"));
        if (!"upper copied".equals(copied)) {
          wrong.add("copied=" + copied);
        }
        if (!"upper created".equals(created)) {
          wrong.add("created=" + created);
        }
        if (controlSeen == null && "control two".equals(readOrNull(u.at("control")))) {
          controlSeen = Duration.ofNanos(System.nanoTime() - start);
        }
        Thread.sleep(100);
      }

      assertEquals(List.of(), wrong, "the upper objects were replaced by the lower's");
      assertTrue(controlSeen != null, "the control change in the lower never showed: the watch proves nothing");
      assertWithinAllowed(system, "control", controlSeen, reporter);
      assertTrue(Files.isRegularFile(u.at("copied")));
      assertEquals("upper copied", Files.readString(u.upper().resolve("copied")));
      assertEquals("LOWER CHANGED AFTER THE COPY-UP", Files.readString(u.lower(1).resolve("copied")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("--lower-mode fixed mounts and serves reads, writes and listings")
  void fixedMode_mounted_servesReadsAndWrites(UnionSystem system) throws Exception {
    try (TestUnion u = TestUnion.create(root, 1, system).withArgs("--lower-mode", "fixed")) {
      write(u.lower(1).resolve("dir/r"), "read me");
      u.mount();
      assertEquals(system.fsType(), Mounts.fsTypeAt(u.mnt()));
      assertEquals("read me", readOrNull(u.at("dir/r")));
      Files.writeString(u.at("dir/w"), "written");
      assertEquals("written", readOrNull(u.at("dir/w")));
      assertEquals(List.of("r", "w"), names(u.at("dir")));
      assertEquals("written", Files.readString(u.upper().resolve("dir/w")));
      assertFalse(Files.exists(u.lower(1).resolve("dir/w")), "the lower is never written");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("systems")
  @DisplayName("--lower-mode fixed: after many misses in a lower directory its names, new names and"
      + " whiteouts there still show right")
  void fixedMode_manyMissesInALowerDirectory_namesStillRight(UnionSystem system) throws Exception {
    try (TestUnion u = TestUnion.create(root, 1, system).withArgs("--lower-mode", "fixed", "-vv")) {
      for (String n : List.of("sh", "ls", "cat", "tar")) {
        write(u.lower(1).resolve("bin/" + n), "the lower's " + n);
      }
      u.mount();
      // distinct names: the kernel keeps each negative entry, so each miss reaches the daemon
      for (int i = 0; i < 40; i++) {
        assertFalse(Files.exists(u.at("bin/missing" + i)), "bin/missing" + i);
      }
      assertTrue(u.daemonOutput().contains("bin listed (4 names) after "),
          "the misses made the daemon list the lower's bin:\n" + u.daemonOutput());
      for (String n : List.of("sh", "ls", "cat", "tar")) {
        assertEquals("the lower's " + n, readOrNull(u.at("bin/" + n)),
            "a lower name after the misses");
      }
      Files.writeString(u.at("bin/new"), "made through the union");
      assertEquals("made through the union", readOrNull(u.at("bin/new")));
      Files.delete(u.at("bin/ls"));
      assertFalse(Files.exists(u.at("bin/ls")), "whited out");
      Files.writeString(u.at("bin/ls"), "made again");
      assertEquals("made again", readOrNull(u.at("bin/ls")));
      for (int i = 40; i < 60; i++) {
        assertFalse(Files.exists(u.at("bin/missing" + i)), "bin/missing" + i);
      }
      assertEquals(List.of("cat", "ls", "new", "sh", "tar"), names(u.at("bin")));
      assertEquals(List.of("cat", "ls", "sh", "tar"), names(u.lower(1).resolve("bin")),
          "the lower is never written");
    }
  }
}
