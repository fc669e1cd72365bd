package org.unionfsjava.e2e.semantics;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18.2: renameat2(RENAME_EXCHANGE) through the union swaps the two names as a plain
 * directory shaped like the merged view does: files and directories, from the upper, from the
 * lower or one of each, across directories; directories keep their lower content under the new
 * name (redirects), whiteouts inside them keep hiding; every object keeps its st_ino, also after
 * a remount; the errno cases (a name missing, a directory with its own descendant, EXCHANGE with
 * NOREPLACE) answer what the plain directory answers. RENAME_WHITEOUT stays EINVAL, as on kernel
 * overlayfs (a plain ext4 directory makes the whiteout). Each case has its own directory {@code
 * cNN} in one union per system and lower mode; both names are looked up (and the children of a
 * directory read) before the call, so the kernel's cached entries must follow the exchange.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@DisplayName("renameat2(RENAME_EXCHANGE) against a plain directory (issue 18.2)")
class RenameExchangeTest {
  private static final int X = Syscalls.RENAME_EXCHANGE;

  /**
   * One call: the lower's content ({@code path=content}, {@code path/} a directory), then steps
   * through the mount ({@code w:path=content} a new file, {@code d:path} mkdir, {@code
   * l:target>name} a hard link, {@code u:path} unlink), then renameat2(a, b, flags). {@code
   * errno} null: the answer the plain directory gives; else this answer and nothing changed.
   */
  record Case(String what, List<String> lower, List<String> upper, String a, String b, int flags, String errno) {
    @Override
    public String toString() {
      return what;
    }
  }

  static final List<Case> CASES = List.of(
      new Case("upper file / upper file", List.of(), List.of("w:uf1=U1", "w:uf2=U2"), "uf1", "uf2", X, null),
      new Case("lower file / lower file", List.of("lf1=L1", "lf2=L2"), List.of(), "lf1", "lf2", X, null),
      new Case("lower file / upper file", List.of("lf=L"), List.of("w:uf=U"), "lf", "uf", X, null),
      new Case("lower file / lower directory", List.of("lf=L", "ld/x=X"), List.of(), "lf", "ld", X, null),
      new Case("upper file / upper directory", List.of(), List.of("w:uf=U", "w:ud/u=UU"), "uf", "ud", X, null),
      new Case("lower directory / lower directory", List.of("ld1/x=X", "ld1/sub/s=S", "ld2/y=Y"), List.of(),
          "ld1", "ld2", X, null),
      new Case("lower directory / upper directory", List.of("ld/x=X"), List.of("w:ud/u=U"), "ld", "ud", X, null),
      new Case("merged directories (copied up, no redirect yet)", List.of("md1/x=X", "md2/y=Y"),
          List.of("w:md1/u=U", "w:md2/v=V"), "md1", "md2", X, null),
      new Case("directory with a whiteout inside / lower directory", List.of("ld1/x=X", "ld1/gone=G", "ld2/y=Y"),
          List.of("u:ld1/gone"), "ld1", "ld2", X, null),
      new Case("across directories: lower files", List.of("d1/la=A", "d2/lb=B"), List.of(), "d1/la", "d2/lb", X, null),
      new Case("across directories: lower directory / upper file", List.of("d1/sub/x=X", "d2/keep=K"),
          List.of("w:d2/f=F"), "d1/sub", "d2/f", X, null),
      new Case("first name missing", List.of("lf=L"), List.of(), "missing", "lf", X, null),
      new Case("second name missing", List.of("lf=L"), List.of(), "lf", "missing", X, null),
      new Case("directory with its own subdirectory", List.of("ld/sub/z=Z"), List.of(), "ld", "ld/sub", X, null),
      new Case("subdirectory with its own ancestor", List.of("ld/sub/z=Z"), List.of(), "ld/sub", "ld", X, null),
      new Case("file with its own parent", List.of("ld/f=F"), List.of(), "ld/f", "ld", X, null),
      new Case("a name with itself", List.of("lf=L"), List.of(), "lf", "lf", X, null),
      new Case("two names of one file", List.of(), List.of("w:h1=H", "l:h1>h2"), "h1", "h2", X, null),
      new Case("EXCHANGE with NOREPLACE", List.of("lf1=L1", "lf2=L2"), List.of(), "lf1", "lf2",
          X | Syscalls.RENAME_NOREPLACE, null),
      new Case("NOREPLACE onto a lower file (unchanged)", List.of("lf1=L1", "lf2=L2"), List.of(), "lf1", "lf2",
          Syscalls.RENAME_NOREPLACE, null),
      new Case("NOREPLACE onto a new name (unchanged)", List.of("lf1=L1"), List.of(), "lf1", "new",
          Syscalls.RENAME_NOREPLACE, null),
      new Case("RENAME_WHITEOUT (EINVAL, as kernel overlayfs)", List.of("lf1=L1"), List.of(), "lf1", "new",
          Syscalls.RENAME_WHITEOUT, "EINVAL"));

  static Stream<Arguments> unions() {
    return Stream.of(
        Arguments.of(UnionSystem.JAVA_OVERLAY, "changing"),
        Arguments.of(UnionSystem.JAVA_OVERLAY, "fixed"),
        Arguments.of(UnionSystem.JAVA_AUFS, "changing"),
        Arguments.of(UnionSystem.JAVA_AUFS, "fixed"),
        Arguments.of(UnionSystem.KERNEL_OVERLAY, "-"));
  }

  /** What a name shows: kind and content (a directory: its names, and its files' contents), and st_ino. */
  record Seen(String shows, long ino) {}

  /** One call's answer and both names before and after it. */
  record Result(String outcome, Seen a0, Seen b0, Seen a1, Seen b1) {}

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0} lower mode {1}")
  @MethodSource("unions")
  @DisplayName("every case answers and ends as on a plain directory; inode numbers kept, also after a remount")
  void exchangeAsPlainDirectory(UnionSystem system, String lowerMode) throws IOException {
    SystemSelection.assumeSelected(system);
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    fillLower(plain);
    applyUpperSteps(plain);
    Map<Case, Result> expected = runAll(plain);

    TestUnion u = TestUnion.create(tmp.resolve("union"), 1, system);
    if (system.isJava()) {
      u.withArgs("--lower-mode", lowerMode);
    }
    fillLower(u.lower(1));
    Map<String, String> lowerBefore = BranchChecksum.of(u.lower(1));
    try {
      u.mount();
      applyUpperSteps(u.mnt());
      Map<Case, Result> actual = runAll(u.mnt());
      List<Executable> checks = new ArrayList<>();
      StringBuilder table = new StringBuilder();
      for (Case c : CASES) {
        Result want = expected.get(c);
        Result got = actual.get(c);
        table.append(String.format("[exchange] %-14s %-8s %-52s plain %-7s union %s%n", system, lowerMode, c,
            want.outcome(), got.outcome()));
        String outcome = c.errno() != null ? c.errno() : want.outcome();
        checks.add(() -> assertEquals(outcome, got.outcome(), c + ": the answer"));
        if ("OK".equals(outcome)) {
          checks.add(() -> assertEquals(List.of(shows(want.a1()), shows(want.b1())),
              List.of(shows(got.a1()), shows(got.b1())), c + ": what the two names show afterwards"));
        } else {
          checks.add(() -> assertEquals(List.of(shows(got.a0()), shows(got.b0())),
              List.of(shows(got.a1()), shows(got.b1())), c + ": a refused call changes nothing"));
        }
        checks.add(() -> assertEquals(expectedInodes(c, outcome, got), List.of(ino(got.a1()), ino(got.b1())),
            c + ": st_ino of the objects (each keeps its own)"));
      }
      System.out.print(table);
      assertAll(checks);

      u.unmount();
      u.mount();
      List<Executable> again = new ArrayList<>();
      for (Case c : CASES) {
        Result got = actual.get(c);
        Path dir = u.mnt().resolve(dirOf(c));
        Seen a = see(dir.resolve(c.a()));
        Seen b = see(dir.resolve(c.b()));
        again.add(() -> assertEquals(Arrays.asList(got.a1(), got.b1()), Arrays.asList(a, b),
            c + ": both names after a remount (content and st_ino)"));
      }
      assertAll(again);
    } finally {
      u.close();
    }
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BranchChecksum.of(u.lower(1))), "the lower was written");
  }

  private static List<Long> expectedInodes(Case c, String outcome, Result got) {
    boolean swapped = "OK".equals(outcome) && (c.flags() & X) != 0;
    if (swapped) {
      return List.of(ino(got.b0()), ino(got.a0()));
    }
    if ("OK".equals(outcome)) { // a plain NOREPLACE rename: the object moves to the new name
      return List.of(-1L, ino(got.a0()));
    }
    return List.of(ino(got.a0()), ino(got.b0()));
  }

  private static String shows(Seen s) {
    return s == null ? "absent" : s.shows();
  }

  private static long ino(Seen s) {
    return s == null ? -1 : s.ino();
  }

  private static String dirOf(Case c) {
    return String.format("c%02d", CASES.indexOf(c));
  }

  private static void fillLower(Path root) {
    for (Case c : CASES) {
      Path d = Fixture.dir(root.resolve(dirOf(c)));
      for (String spec : c.lower()) {
        if (spec.endsWith("/")) {
          Fixture.dir(d.resolve(spec));
        } else {
          String[] kv = spec.split("=", 2);
          Fixture.file(d.resolve(kv[0]), kv[1]);
        }
      }
    }
  }

  private static void applyUpperSteps(Path mnt) throws IOException {
    for (Case c : CASES) {
      Path d = mnt.resolve(dirOf(c));
      for (String step : c.upper()) {
        String arg = step.substring(2);
        switch (step.charAt(0)) {
          case 'w' -> {
            String[] kv = arg.split("=", 2);
            Files.createDirectories(d.resolve(kv[0]).getParent());
            Fixture.file(d.resolve(kv[0]), kv[1]);
          }
          case 'd' -> Files.createDirectories(d.resolve(arg));
          case 'l' -> {
            String[] tl = arg.split(">", 2);
            Syscalls.link(d.resolve(tl[0]), d.resolve(tl[1])).requireOk();
          }
          case 'u' -> Syscalls.unlink(d.resolve(arg)).requireOk();
          default -> throw new IllegalArgumentException(step);
        }
      }
    }
  }

  private static Map<Case, Result> runAll(Path root) {
    Map<Case, Result> out = new LinkedHashMap<>();
    for (Case c : CASES) {
      Path d = root.resolve(dirOf(c));
      Path a = d.resolve(c.a());
      Path b = d.resolve(c.b());
      Seen a0 = see(a);
      Seen b0 = see(b);
      String outcome = Syscalls.renameat2(a, b, c.flags()).outcome();
      out.put(c, new Result(outcome, a0, b0, see(a), see(b)));
    }
    return out;
  }

  /** What a name shows, or null if it does not exist. */
  private static Seen see(Path p) {
    if (!Fixture.exists(p)) {
      return null;
    }
    Fixture.Stat st = Fixture.stat(p);
    String shows = switch (st.kind()) {
      case "file" -> "file " + Fixture.read(p);
      case "dir" -> {
        StringBuilder sb = new StringBuilder("dir");
        for (String n : Fixture.names(p)) {
          Path child = p.resolve(n);
          sb.append(' ').append(n);
          if (Files.isRegularFile(child)) {
            sb.append('=').append(Fixture.read(child));
          } else if (Files.isDirectory(child)) {
            sb.append(Fixture.names(child));
          }
        }
        yield sb.toString();
      }
      default -> st.kind();
    };
    return new Seen(shows, st.ino());
  }
}
