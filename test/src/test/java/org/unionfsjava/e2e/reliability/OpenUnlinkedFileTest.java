package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelSyscalls;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * A file unlinked while open (found by the stress test as temporaries left in the work
 * directory): libfuse2 renames it to a hidden name in its directory, the union moves it into its
 * work directory and keys it by that hidden path, and removes it when libfuse unlinks the hidden
 * path after the last close. On a plain filesystem the open descriptor keeps working whatever
 * happens to the directory, and the file's space is freed at the last close. Each case here does
 * the same on a plain directory and on the union: fstat and read on the open descriptor must work,
 * and after the close the union's work directory must hold nothing (no leaked file, no leaked space).
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("files unlinked while open: usable until closed, then gone from the work directory")
class OpenUnlinkedFileTest {
  @TempDir
  static Path tmp;
  private static final List<RelUnion> UNIONS = new ArrayList<>();

  @BeforeAll
  static void mount() {
    for (UnionSystem s : List.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS)) {
      RelUnion u = RelUnion.create(tmp.resolve(s.name()), 1, s);
      Fixture.file(u.lower(1).resolve("lowerdir/lf"), "lower file\n");
      UNIONS.add(u);
    }
  }

  @AfterAll
  static void unmount() {
    UNIONS.forEach(RelUnion::close);
  }

  private static RelUnion union(UnionSystem s) {
    SystemSelection.assumeSelected(s);
    RelUnion u = UNIONS.get(s == UnionSystem.JAVA_OVERLAY ? 0 : 1);
    if (!u.alive()) {
      u.mount();
    }
    return u;
  }

  /** What happens to the directory between the unlink and the close. */
  enum Then {
    NOTHING, RENAME_PARENT, RMDIR_PARENT, RENAME_GRANDPARENT
  }

  private static List<String> scenario(Path base, String dir, Then then) throws Exception {
    List<String> out = new ArrayList<>();
    Path d = base.resolve(dir);
    Files.createDirectories(d.resolve("in"));
    Fixture.file(d.resolve("in/f"), "open and unlinked\n");
    int fd = (int) Syscalls.open(d.resolve("in/f"), Syscalls.O_RDWR, 0).requireOk();
    try {
      out.add("unlink " + Syscalls.unlink(d.resolve("in/f")).outcome());
      out.add(switch (then) {
        case NOTHING -> "-";
        case RENAME_PARENT -> "rename parent " + Syscalls.rename(d.resolve("in"), d.resolve("in2")).outcome();
        case RMDIR_PARENT -> "rmdir parent " + Syscalls.rmdir(d.resolve("in")).outcome();
        case RENAME_GRANDPARENT -> "rename grandparent " + Syscalls.rename(d, base.resolve(dir + "-moved")).outcome();
      });
      Thread.sleep(1100); // past the kernel's attribute timeout (1 s): fstat must ask the union
      out.add("fstat size " + fstatSize(fd));
      out.add("ftruncate " + Syscalls.ftruncate(fd, 18).outcome());
      byte[] buf = new byte[64];
      out.add("write " + Syscalls.write(fd, "more".getBytes()).outcome());
      out.add("read " + RelSyscalls.read(fd, buf).outcome());
    } finally {
      out.add("close " + Syscalls.close(fd).outcome());
    }
    return out;
  }

  /** The size fstat(2) reports (FUSE fgetattr on the open handle), or the errno. */
  private static String fstatSize(int fd) {
    return RelSyscalls.fstatSize(fd);
  }

  private static List<String> temps(RelUnion u) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(u.workDir().resolve("tmp"))) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
    return java.util.stream.Stream.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS)
        .flatMap(s -> java.util.Arrays.stream(Then.values())
            // A documented limit (docs/limits.md): after rmdir of its directory libfuse2's
            // high-level API can no longer build a path for the unlinked file and answers fstat
            // with ENOENT before the union is asked; what the union controls in that case (the
            // kept file leaves the work directory at the last close, reads and writes work) is
            // checked by openFileUnlinked_parentRemoved_goneFromWorkDirAtClose.
            .filter(t -> !(t == Then.RMDIR_PARENT && s.isJava()))
            .map(t -> org.junit.jupiter.params.provider.Arguments.of(s, t)));
  }

  @ParameterizedTest(name = "{0}, unlink while open, then {1}")
  @org.junit.jupiter.params.provider.MethodSource("cases")
  void openFileUnlinked_descriptorWorks_nothingLeftAtClose(UnionSystem system, Then then) throws Exception {
    check(system, then);
  }

  /**
   * The known gap above, minus what the union controls: after rmdir of its directory libfuse2
   * never unlinks the hidden name, so the union itself must drop the kept file at the last close.
   * Writing and reading through the descriptor work as on a plain directory.
   */
  @ParameterizedTest(name = "{0}, unlink while open, rmdir the directory, close: nothing kept")
  @org.junit.jupiter.params.provider.EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void openFileUnlinked_parentRemoved_goneFromWorkDirAtClose(UnionSystem system) throws Exception {
    RelUnion u = union(system);
    List<String> before = temps(u);
    Path d = Files.createDirectories(u.mnt().resolve("rmdir-gap/in"));
    Fixture.file(d.resolve("f"), "open and unlinked\n");
    int fd = (int) Syscalls.open(d.resolve("f"), Syscalls.O_RDWR, 0).requireOk();
    List<String> got = new ArrayList<>();
    try {
      got.add("unlink " + Syscalls.unlink(d.resolve("f")).outcome());
      got.add("rmdir " + Syscalls.rmdir(d).outcome());
      got.add("write " + Syscalls.write(fd, "more".getBytes()).outcome());
      List<String> during = temps(u);
      during.removeAll(before);
      got.add("kept while open " + during.size());
    } finally {
      got.add("close " + Syscalls.close(fd).outcome());
    }
    assertEquals(List.of("unlink OK", "rmdir OK", "write OK", "kept while open 1", "close OK"), got, system.toString());
    List<String> left = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      left.clear();
      left.addAll(temps(u));
      left.removeAll(before);
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(50); // FUSE's release is asynchronous
    }
    assertEquals(List.of(), left, system + ": the unlinked file must leave the work directory at its last close");
  }

  private static void check(UnionSystem system, Then then) throws Exception {
    RelUnion u = union(system);
    String dir = "case-" + then.name().toLowerCase();
    List<String> plain = scenario(Files.createDirectories(tmp.resolve("plain-" + system)), dir, then);
    List<String> before = temps(u);
    List<String> got = scenario(u.mnt(), dir, then);
    List<String> left = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      left.clear();
      left.addAll(temps(u));
      left.removeAll(before); // earlier cases' leaks are theirs
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(50); // FUSE's release (and libfuse's unlink of the hidden name) is asynchronous
    }
    assertEquals(plain, got, system + " " + then + ": the open descriptor as on a plain directory");
    assertEquals(List.of(), left, system + " " + then + ": the unlinked file must leave the work directory at its last close");
  }
}
