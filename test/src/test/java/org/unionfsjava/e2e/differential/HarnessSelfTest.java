package org.unionfsjava.e2e.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;

/**
 * The differential harness checked without any union: two plain directories built the same way
 * must compare equal, and each kind of difference the differential test claims to find (content,
 * mode, kind, extra name, mtime of an unwritten file, xattr, lower changes) must be reported; the
 * mv fallback must produce what rename produces.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HarnessSelfTest {
  @TempDir
  Path tmp;
  Path lower1;
  Path lower2;
  Path model;
  Path fake;
  Session session;

  @BeforeEach
  void setUp() throws IOException {
    lower1 = Files.createDirectories(tmp.resolve("lower1"));
    lower2 = Files.createDirectories(tmp.resolve("lower2"));
    model = Files.createDirectories(tmp.resolve("model"));
    fake = Files.createDirectories(tmp.resolve("fake-union"));
    LowerTree.fill(42, List.of(lower1, lower2));
    LowerTree.buildModel(List.of(lower1, lower2), model);
    LowerTree.buildModel(List.of(lower1, lower2), fake);
    session = new Session(fake, model, EnumSet.allOf(Session.Check.class));
  }

  @Test
  void sameTreesCompareEqualAndTheLowersAreSubstantial() throws IOException {
    assertEquals(List.of(), session.compare(true));
    long files;
    long dirs;
    try (var s = Files.walk(model)) {
      List<Path> all = s.toList();
      files = all.stream().filter(Files::isRegularFile).count();
      dirs = all.stream().filter(Files::isDirectory).count() - 1;
    }
    assertTrue(files >= 20 && dirs >= 5, "merged lower tree too small: " + files + " files, " + dirs + " dirs");
  }

  @Test
  void theMergedStartingTreesOfTheCiSeedsHaveAboutFortyFilesAndTenDirectories() throws IOException {
    StringBuilder sizes = new StringBuilder();
    for (long seed = 1; seed <= 6; seed++) {
      Path root = Files.createDirectories(tmp.resolve("seed" + seed));
      Path l1 = Files.createDirectories(root.resolve("l1"));
      Path l2 = Files.createDirectories(root.resolve("l2"));
      Path m = Files.createDirectories(root.resolve("m"));
      LowerTree.fill(seed, List.of(l1, l2));
      LowerTree.buildModel(List.of(l1, l2), m);
      long files = count(m, false);
      long dirs = count(m, true);
      sizes.append(String.format("seed %d: lowers %d + %d objects, merged view %d files and symlinks, %d dirs%n",
          seed, count(l1, false) + count(l1, true), count(l2, false) + count(l2, true), files, dirs));
      assertTrue(files >= 25 && files <= 75 && dirs >= 6 && dirs <= 25, sizes.toString());
    }
    System.out.print(sizes);
  }

  private static long count(Path root, boolean dirs) throws IOException {
    try (var s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root))
          .filter(p -> dirs == Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
    }
  }

  @Test
  void everyKindOfDifferenceIsReported() throws IOException {
    String file = firstRegularFile();
    Files.write(fake.resolve(file), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    assertHas("tree", session.compare(true));
    LowerTree.copyNonDirectory(model.resolve(file), tmp.resolve("restore"));
    Files.delete(fake.resolve(file));
    Files.move(tmp.resolve("restore"), fake.resolve(file));
    assertEquals(List.of(), session.compare(true));

    Syscalls.chmod(fake.resolve(file), 0601).requireOk();
    assertHas("tree", session.compare(true));
    Syscalls.chmod(fake.resolve(file), (Integer) Files.getAttribute(model.resolve(file), "unix:mode") & 07777).requireOk();

    Files.createFile(fake.resolve("extra"));
    assertHas("tree", session.compare(true));
    Files.delete(fake.resolve("extra"));

    PosixExtras.utimens(fake.resolve(file), 5_000_000_000L, 7_000_000_001L, true).requireOk();
    assertHas("mtime", session.compare(true));
    Map<String, Object> a = Files.readAttributes(model.resolve(file), "unix:lastAccessTime,lastModifiedTime");
    PosixExtras.utimens(fake.resolve(file), LowerTree.nanos(a.get("lastAccessTime")),
        LowerTree.nanos(a.get("lastModifiedTime")), true).requireOk();

    Syscalls.setxattr(fake.resolve(file), "user.stray", "1").requireOk();
    assertHas("user xattrs", session.compare(true));
    assertEquals(List.of(), session.compare(false), "xattrs are compared only when asked");
  }

  @Test
  void aWriteMakesTheMtimeOfThatFileIncomparableAndUtimesComparableAgain() throws IOException {
    String file = firstRegularFile();
    Op write = Op.withData(Op.Kind.APPEND, file, 0, 0, 10, 1);
    assertEquals(new Session.Outcome("OK", "OK", false), session.apply(write));
    PosixExtras.utimens(fake.resolve(file), 5_000_000_000L, 7_000_000_001L, true).requireOk();
    assertEquals(List.of(), session.compare(true), "written file: mtimes may differ");
    session.apply(Op.utimes(file, 1_000_000_000L, 2_000_000_003L, false));
    assertEquals(List.of(), session.compare(true));
    PosixExtras.utimens(fake.resolve(file), 5_000_000_000L, 7_000_000_001L, true).requireOk();
    assertHas("mtime", session.compare(true));
  }

  @Test
  void theMvFallbackDoesWhatRenameDoes() throws IOException {
    String dir = firstDirectoryWithContent();
    // a hard link from outside into the moved tree: mv's copy separates it, so the model must too
    String inside = null;
    try (var s = Files.walk(model.resolve(dir))) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          inside = model.relativize(p).toString();
          break;
        }
      }
    }
    if (inside != null) {
      Op link = Op.twoPaths(Op.Kind.LINK, inside, "hardlink-outside");
      assertEquals(new Session.Outcome("OK", "OK", false), session.apply(link));
    }
    assertEquals("OK", OpApplier.apply(model, Op.twoPaths(Op.Kind.RENAME, dir, "moved")));
    session.mvFallback(dir, "moved");
    assertEquals(List.of(), session.compare(true));
    if (inside != null) { // writing through the outside name must not change the moved copy
      assertEquals(new Session.Outcome("OK", "OK", false),
          session.apply(Op.withData(Op.Kind.APPEND, "hardlink-outside", 0, 0, 5, 9)));
      assertEquals(List.of(), session.compare(true));
    }
  }

  @Test
  void theLowerChecksumSeesEveryKindOfChange() throws IOException {
    Map<String, String> before = BranchChecksum.of(lower1);
    assertEquals(List.of(), BranchChecksum.diff(before, BranchChecksum.of(lower1)));
    Path f = firstRegularFileIn(lower1);
    Syscalls.setxattr(f, "trusted.overlay.opaque", "y").requireOk();
    assertTrue(BranchChecksum.diff(before, BranchChecksum.of(lower1)).toString().contains("trusted.overlay.opaque"));
    Syscalls.removexattr(f, "trusted.overlay.opaque").requireOk();
    before = BranchChecksum.of(lower1);
    Syscalls.chmod(f, (Integer) Files.getAttribute(f, "unix:mode") & 07777).requireOk(); // same mode, new ctime
    assertEquals(1, BranchChecksum.diff(before, BranchChecksum.of(lower1)).size());
    before = BranchChecksum.of(lower1);
    Files.readAllBytes(f); // reading changes nothing we record
    assertEquals(List.of(), BranchChecksum.diff(before, BranchChecksum.of(lower1)));
  }

  private static void assertHas(String what, List<String> problems) {
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(what)), "expected a '" + what + "' difference, got " + problems);
  }

  private String firstRegularFile() throws IOException {
    return model.relativize(firstRegularFileIn(model)).toString();
  }

  private static Path firstRegularFileIn(Path root) throws IOException {
    try (var s = Files.walk(root)) {
      return s.sorted().filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).findFirst().orElseThrow();
    }
  }

  private String firstDirectoryWithContent() throws IOException {
    try (var s = Files.walk(model)) {
      for (Path p : s.sorted().toList()) {
        if (!p.equals(model) && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          try (var c = Files.list(p)) {
            if (c.findAny().isPresent()) {
              return model.relativize(p).toString();
            }
          }
        }
      }
    }
    throw new AssertionError("no directory with content in the model");
  }
}
