package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelSyscalls;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18 item 4: fstat(2) of a file that is open but unlinked reports the names the file has
 * left in the union's view: 0 once its only name is gone, the remaining count for a hard link
 * (before, the union counted the link that keeps the file in its work directory and said 1).
 * Each case runs the same calls on a plain directory (the reference, also checked against the
 * literal answer) and on the union: a new upper file, lower files opened for reading and for
 * writing, a hard link made in the union and one the lower already has; immediately and again
 * after the kernel's attribute timeout (fixed mode's is an hour, so the union must answer right
 * the first time as well).
 *
 * <p>Kernel overlayfs (6.18, {@code index=off} as {@link TestUnion} mounts it) is not a case here:
 * it answers as a plain directory for upper files and copied-up ones, but 1 for a lower file
 * opened read-only and then unlinked, and 2 throughout for the lower hard-link pair (it does not
 * count a lower file's names without its index), so it is the reference for neither.
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("fstat of an open file after unlink: st_nlink counts the union's names left")
class UnlinkedLinkCountTest {
  /** What a plain directory answers (Linux, ext4 and tmpfs alike). */
  static final List<String> EXPECTED = List.of(
      "new 0", "lower-ro 0", "lower-rw 0", "link-a 1", "link-b 1", "lowerlink-x 1", "lowerlink-y 1",
      "later: new 0", "later: lower-ro 0", "later: lower-rw 0", "later: link-a 1", "later: lowerlink-x 1",
      "link-a after unlink b 0", "lowerlink-x after unlink y 0");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(UnionSystem.JAVA_OVERLAY, "changing"), Arguments.of(UnionSystem.JAVA_OVERLAY, "fixed"),
        Arguments.of(UnionSystem.JAVA_AUFS, "changing"), Arguments.of(UnionSystem.JAVA_AUFS, "fixed"));
  }

  /** The files the scenario expects before it starts (in a lower, or in the plain directory). */
  static void fill(Path base) throws Exception {
    Fixture.file(base.resolve("d/lower-ro"), "read only\n");
    Fixture.file(base.resolve("d/lower-rw"), "read write\n");
    Fixture.file(base.resolve("d/lowerlink-x"), "two names\n");
    Files.createLink(base.resolve("d/lowerlink-y"), base.resolve("d/lowerlink-x"));
  }

  static List<String> scenario(Path base) throws Exception {
    Path d = base.resolve("d");
    List<String> out = new ArrayList<>();
    List<Integer> fds = new ArrayList<>();
    try {
      int fNew = open(fds, d.resolve("new"), Syscalls.O_RDWR | Syscalls.O_CREAT);
      int fRo = open(fds, d.resolve("lower-ro"), Syscalls.O_RDONLY);
      int fRw = open(fds, d.resolve("lower-rw"), Syscalls.O_RDWR);
      Fixture.file(d.resolve("link-a"), "made here\n");
      Syscalls.link(d.resolve("link-a"), d.resolve("link-b")).requireOk();
      int fLink = open(fds, d.resolve("link-a"), Syscalls.O_RDWR);
      int fLower = open(fds, d.resolve("lowerlink-x"), Syscalls.O_RDONLY);
      for (String n : List.of("new", "lower-ro", "lower-rw", "link-a", "lowerlink-x")) {
        Syscalls.unlink(d.resolve(n)).requireOk();
      }
      out.add("new " + RelSyscalls.fstatNlink(fNew));
      out.add("lower-ro " + RelSyscalls.fstatNlink(fRo));
      out.add("lower-rw " + RelSyscalls.fstatNlink(fRw));
      out.add("link-a " + RelSyscalls.fstatNlink(fLink));
      out.add("link-b " + Fixture.stat(d.resolve("link-b")).nlink());
      out.add("lowerlink-x " + RelSyscalls.fstatNlink(fLower));
      out.add("lowerlink-y " + Fixture.stat(d.resolve("lowerlink-y")).nlink());
      Thread.sleep(1100); // past the kernel's attribute timeout in changing mode (1 s)
      out.add("later: new " + RelSyscalls.fstatNlink(fNew));
      out.add("later: lower-ro " + RelSyscalls.fstatNlink(fRo));
      out.add("later: lower-rw " + RelSyscalls.fstatNlink(fRw));
      out.add("later: link-a " + RelSyscalls.fstatNlink(fLink));
      out.add("later: lowerlink-x " + RelSyscalls.fstatNlink(fLower));
      Syscalls.unlink(d.resolve("link-b")).requireOk();
      out.add("link-a after unlink b " + RelSyscalls.fstatNlink(fLink));
      Syscalls.unlink(d.resolve("lowerlink-y")).requireOk();
      out.add("lowerlink-x after unlink y " + RelSyscalls.fstatNlink(fLower));
    } finally {
      fds.forEach(Syscalls::close);
    }
    return out;
  }

  private static int open(List<Integer> fds, Path p, int flags) {
    int fd = (int) Syscalls.open(p, flags, 0644).requireOk();
    fds.add(fd);
    return fd;
  }

  @ParameterizedTest(name = "{0}, lower mode {1}")
  @MethodSource("cases")
  void fstatAfterUnlink_reportsUnionNamesLeft(UnionSystem system, String lowerMode, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    fill(plain);
    assertEquals(EXPECTED, scenario(plain), "a plain directory (the reference)");
    TestUnion u = TestUnion.create(tmp.resolve("union"), 1, system);
    if (system.isJava()) {
      u.withArgs("--lower-mode", lowerMode);
    }
    try {
      fill(u.lower(1));
      u.mount();
      assertEquals(EXPECTED, scenario(u.mnt()), system + " --lower-mode " + lowerMode);
    } finally {
      u.close();
    }
  }
}
