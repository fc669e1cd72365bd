package org.unionfsjava.e2e.errors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Error codes compared with a plain directory (mergerfs-style parity, STYLE §3.9): each scenario
 * builds the same content in the union's lower and in a native directory, applies the same
 * preparation to the mount and to the native directory (deletes that leave whiteouts, creates
 * in the upper), then makes one system call on both. Both must give the expected outcome (the
 * native run proves the expectation), and the trees must look the same afterwards.
 */
@Timeout(120)
@DisplayName("errno parity with a plain directory shaped like the merged view")
class ErrnoParityTest {
  static final String LONG_256 = "n".repeat(256);
  static final String LONG_255 = "n".repeat(255);

  /** Builds content under a directory, or changes it. */
  @FunctionalInterface
  interface Step {
    void on(Path dir) throws IOException;
  }

  /** One system call against a scenario directory. */
  @FunctionalInterface
  interface Op {
    Call on(Path dir);
  }

  /** A scenario: content (in the lower), preparation (through the mount), the call and its expected outcome. */
  record Scenario(String name, String expected, Step content, Step prep, Op op) {
    @Override
    public String toString() {
      return name + " -> " + expected;
    }
  }

  static final Step NOTHING = d -> { };
  static final Step FILE_F = d -> file(d.resolve("f"), "f");
  static final Step DIR_D = d -> dir(d.resolve("d"));
  static final Step DIR_D_WITH_X = d -> file(d.resolve("d/x"), "x");

  static final List<Scenario> SCENARIOS = List.of(
      // ENOENT
      new Scenario("stat-missing", "ENOENT", NOTHING, NOTHING, d -> Syscalls.access(d.resolve("missing"), Syscalls.F_OK)),
      new Scenario("open-whited-out-file", "ENOENT", FILE_F, d -> Syscalls.unlink(d.resolve("f")).requireOk(),
          d -> Syscalls.openClose(d.resolve("f"), Syscalls.O_RDONLY, 0)),
      new Scenario("unlink-missing", "ENOENT", NOTHING, NOTHING, d -> Syscalls.unlink(d.resolve("missing"))),
      new Scenario("rmdir-whited-out-dir", "ENOENT", DIR_D_WITH_X, ErrnoParityTest::rmRfD,
          d -> Syscalls.rmdir(d.resolve("d"))),
      new Scenario("create-in-deleted-lower-dir", "ENOENT", DIR_D_WITH_X, ErrnoParityTest::rmRfD,
          d -> Syscalls.openClose(d.resolve("d/new"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)),
      new Scenario("rename-missing-source", "ENOENT", NOTHING, NOTHING,
          d -> Syscalls.rename(d.resolve("missing"), d.resolve("to"))),
      new Scenario("chmod-whited-out-file", "ENOENT", FILE_F, d -> Syscalls.unlink(d.resolve("f")).requireOk(),
          d -> Syscalls.chmod(d.resolve("f"), 0600)),
      // EEXIST
      new Scenario("mkdir-over-lower-dir", "EEXIST", DIR_D, NOTHING, d -> Syscalls.mkdir(d.resolve("d"), 0755)),
      new Scenario("mkdir-over-lower-file", "EEXIST", FILE_F, NOTHING, d -> Syscalls.mkdir(d.resolve("f"), 0755)),
      new Scenario("create-excl-over-lower-file", "EEXIST", FILE_F, NOTHING,
          d -> Syscalls.openClose(d.resolve("f"), Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, 0644)),
      new Scenario("link-onto-lower-file", "EEXIST", d -> {
        file(d.resolve("a"), "a");
        file(d.resolve("b"), "b");
      }, NOTHING, d -> Syscalls.link(d.resolve("a"), d.resolve("b"))),
      new Scenario("symlink-onto-lower-dir", "EEXIST", DIR_D, NOTHING, d -> Syscalls.symlink("x", d.resolve("d"))),
      new Scenario("mknod-over-lower-file", "EEXIST", FILE_F, NOTHING,
          d -> Syscalls.mknod(d.resolve("f"), Syscalls.S_IFIFO | 0644, 0, 0)),
      // ENOTEMPTY
      new Scenario("rmdir-lower-dir-with-child", "ENOTEMPTY", DIR_D_WITH_X, NOTHING, d -> Syscalls.rmdir(d.resolve("d"))),
      new Scenario("rmdir-merged-dir-with-upper-child", "ENOTEMPTY", DIR_D_WITH_X, d -> {
        Syscalls.unlink(d.resolve("d/x")).requireOk();
        file(d.resolve("d/y"), "y");
      }, d -> Syscalls.rmdir(d.resolve("d"))),
      new Scenario("rename-dir-over-nonempty-lower-dir", "ENOTEMPTY", DIR_D_WITH_X,
          d -> Syscalls.mkdir(d.resolve("src"), 0755).requireOk(), d -> Syscalls.rename(d.resolve("src"), d.resolve("d"))),
      // ENOTDIR
      new Scenario("open-below-a-file", "ENOTDIR", FILE_F, NOTHING,
          d -> Syscalls.openClose(d.resolve("f/x"), Syscalls.O_RDONLY, 0)),
      new Scenario("mkdir-below-a-file", "ENOTDIR", FILE_F, NOTHING, d -> Syscalls.mkdir(d.resolve("f/x"), 0755)),
      new Scenario("rmdir-of-a-file", "ENOTDIR", FILE_F, NOTHING, d -> Syscalls.rmdir(d.resolve("f"))),
      new Scenario("rename-dir-over-lower-file", "ENOTDIR", FILE_F,
          d -> Syscalls.mkdir(d.resolve("src"), 0755).requireOk(), d -> Syscalls.rename(d.resolve("src"), d.resolve("f"))),
      new Scenario("open-directory-flag-on-file", "ENOTDIR", FILE_F, NOTHING,
          d -> Syscalls.openClose(d.resolve("f"), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0)),
      // EISDIR
      new Scenario("open-lower-dir-for-write", "EISDIR", DIR_D, NOTHING,
          d -> Syscalls.openClose(d.resolve("d"), Syscalls.O_WRONLY, 0)),
      new Scenario("unlink-lower-dir", "EISDIR", DIR_D, NOTHING, d -> Syscalls.unlink(d.resolve("d"))),
      new Scenario("rename-file-over-lower-dir", "EISDIR", d -> {
        file(d.resolve("f"), "f");
        dir(d.resolve("d"));
      }, NOTHING, d -> Syscalls.rename(d.resolve("f"), d.resolve("d"))),
      // ENAMETOOLONG (NAME_MAX is 255 bytes)
      new Scenario("create-256-byte-name", "ENAMETOOLONG", NOTHING, NOTHING,
          d -> Syscalls.openClose(d.resolve(LONG_256), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)),
      new Scenario("mkdir-256-byte-name", "ENAMETOOLONG", NOTHING, NOTHING, d -> Syscalls.mkdir(d.resolve(LONG_256), 0755)),
      new Scenario("stat-256-byte-name", "ENAMETOOLONG", NOTHING, NOTHING,
          d -> Syscalls.access(d.resolve(LONG_256), Syscalls.F_OK)),
      new Scenario("rename-to-256-byte-name", "ENAMETOOLONG", FILE_F, NOTHING,
          d -> Syscalls.rename(d.resolve("f"), d.resolve(LONG_256))),
      new Scenario("create-255-byte-name-works", "OK", NOTHING, NOTHING,
          d -> Syscalls.openClose(d.resolve(LONG_255), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)),
      // EINVAL
      new Scenario("rename-upper-dir-into-own-subdir", "EINVAL", NOTHING, d -> {
        Syscalls.mkdir(d.resolve("a"), 0755).requireOk();
        Syscalls.mkdir(d.resolve("a/sub"), 0755).requireOk();
      }, d -> Syscalls.rename(d.resolve("a"), d.resolve("a/sub/x"))),
      new Scenario("rename-lower-dir-into-own-subdir", "EINVAL", d -> dir(d.resolve("a/sub")), NOTHING,
          d -> Syscalls.rename(d.resolve("a"), d.resolve("a/sub/x"))),
      new Scenario("readlink-of-lower-file", "EINVAL", FILE_F, NOTHING, d -> Syscalls.readlink(d.resolve("f"))),
      new Scenario("rmdir-dot", "EINVAL", DIR_D, NOTHING, d -> Syscalls.rmdir(d.resolve("d/."))),
      // EPERM
      new Scenario("hard-link-of-lower-dir", "EPERM", DIR_D, NOTHING, d -> Syscalls.link(d.resolve("d"), d.resolve("d2"))),
      // successes that depend on whiteouts being told apart from missing names
      new Scenario("create-excl-over-whiteout-works", "OK", FILE_F, d -> Syscalls.unlink(d.resolve("f")).requireOk(),
          d -> Syscalls.openClose(d.resolve("f"), Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, 0644)),
      new Scenario("mkdir-over-whited-out-dir-works", "OK", DIR_D_WITH_X, ErrnoParityTest::rmRfD,
          d -> Syscalls.mkdir(d.resolve("d"), 0755)),
      new Scenario("rmdir-merged-dir-emptied-works", "OK", DIR_D_WITH_X, d -> Syscalls.unlink(d.resolve("d/x")).requireOk(),
          d -> Syscalls.rmdir(d.resolve("d"))),
      new Scenario("rename-over-empty-lower-dir-works", "OK", DIR_D,
          d -> Syscalls.mkdir(d.resolve("src"), 0755).requireOk(), d -> Syscalls.rename(d.resolve("src"), d.resolve("d"))));

  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp.resolve("unions"), 1, u -> {
      for (Scenario s : SCENARIOS) {
        s.content().on(dir(u.lower(1).resolve(s.name())));
      }
    });
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void rmRfD(Path d) {
    Processes.run(Duration.ofSeconds(30), "rm", "-rf", d.resolve("d").toString()).requireSuccess("rm -rf");
  }

  static Stream<Arguments> cases() {
    return Stream.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS, UnionSystem.KERNEL_OVERLAY)
        .flatMap(sys -> SCENARIOS.stream().map(s -> Arguments.of(sys, s)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  @DisplayName("the union answers a call like a plain directory does: same errno, same tree afterwards")
  void call_onUnionAndNativeDir_sameOutcome(UnionSystem system, Scenario s) throws IOException {
    TestUnion u = unions.get(system);
    Path nativeDir = dir(tmp.resolve("native-" + system).resolve(s.name()));
    s.content().on(nativeDir);
    s.prep().on(nativeDir);
    Path unionDir = u.at(s.name());
    s.prep().on(unionDir);

    Call nativeCall = s.op().on(nativeDir);
    Call unionCall = s.op().on(unionDir);

    assertAll(s.name(),
        () -> assertEquals(s.expected(), nativeCall.outcome(), "native directory (the oracle): " + nativeCall),
        () -> assertEquals(nativeCall.outcome(), unionCall.outcome(), "union vs native: " + unionCall),
        () -> assertEquals(TreeSnapshot.of(nativeDir, false), TreeSnapshot.of(unionDir, false), "tree afterwards"));
  }
}
