package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.nativeio.NativeFile.O_CREAT;
import static org.unionfsjava.fs.nativeio.NativeFile.O_EXCL;
import static org.unionfsjava.fs.nativeio.NativeFile.O_WRONLY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;

/** The numbers getattr and readdir report: inode numbers per branch, nlink, d_ino, offsets. */
@DisplayName("UnionOps getattr/readdir: inode numbers, nlink, d_ino and stable offsets")
class InodeAndReaddirTest {
  @TempDir Path root;
  private OpsFixture fx;
  private final NativeBranchIo real = new NativeBranchIo();

  @AfterEach
  void close() {
    if (fx != null) {
      try {
        assertEquals(0, fx.ops.table().openCount(), "handles left open");
      } finally {
        fx.close();
      }
    }
  }

  private long realIno(Path p) throws IOException {
    return real.lstat(p).ino();
  }

  private void create(String p, String content) {
    long fh = fx.create(p, 0644, O_WRONLY | O_CREAT | O_EXCL).require();
    byte[] data = OpsFixture.utf8(content);
    assertEquals(data.length, fx.write(fh, data, 0));
    assertEquals(0, fx.release(fh));
  }

  @Test
  @DisplayName("InodeNumbers: the same real inode number in different branches gives different union numbers; the upper's is unchanged")
  void inodeNumbersOf_sameRealInoDifferentBranches_differ() {
    for (long ino : new long[] {1, 2, 12345, 1L << 40, (1L << 58) - 1}) {
      Set<Long> seen = new HashSet<>();
      for (int branch = 0; branch < 5; branch++) {
        assertTrue(seen.add(InodeNumbers.of(branch, ino)), "branch " + branch + " ino " + ino);
      }
      assertEquals(ino, InodeNumbers.of(0, ino));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("getattr: a lower file reports its number tagged with its branch, an upper file its real number")
  void getattr_lowerAndUpperFiles_branchTaggedNumbers(String format) throws IOException {
    fx = OpsFixture.of(root, format, 2, Duration.ofSeconds(1));
    Path l1 = OpsFixture.put(fx.lower(1), "l1.txt", "1");
    Path l2 = OpsFixture.put(fx.lower(2), "l2.txt", "2");
    create("/up.txt", "u");

    long lower1 = fx.getattr("/l1.txt").require().ino();
    long lower2 = fx.getattr("/l2.txt").require().ino();
    long up = fx.getattr("/up.txt").require().ino();
    assertEquals(InodeNumbers.of(1, realIno(l1)), lower1);
    assertEquals(InodeNumbers.of(2, realIno(l2)), lower2);
    assertEquals(realIno(fx.upper.resolve("up.txt")), up);
    assertEquals(3, Set.of(lower1, lower2, up).size());
    assertNotEquals(realIno(l1), lower1, "a lower's number is not passed through unchanged");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("getattr: hard links inside one lower share the union's number; link(2) through the union shares the upper's")
  void getattr_hardLinksInOneBranch_shareNumber(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    Path a = OpsFixture.put(fx.lower(1), "a", "linked");
    Files.createLink(fx.lower(1).resolve("b"), a);
    OpsFixture.put(fx.lower(1), "c", "other");

    Stat sa = fx.getattr("/a").require();
    Stat sb = fx.getattr("/b").require();
    assertEquals(sa.ino(), sb.ino());
    assertEquals(2, sa.nlink());
    assertNotEquals(sa.ino(), fx.getattr("/c").require().ino());

    long cBefore = fx.getattr("/c").require().ino();
    assertEquals(0, fx.link("/c", "/c2"));
    Stat c = fx.getattr("/c").require();
    assertEquals(c.ino(), fx.getattr("/c2").require().ino());
    assertEquals(cBefore, c.ino(), "the copy-up for the link keeps c's number (its origin)");
    assertEquals(2, c.nlink());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("getattr: a merged or lower directory reports nlink 1; an upper-only directory its real count")
  void getattr_mergedDirectory_nlinkOne(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    Files.createDirectories(fx.lower(1).resolve("m/s1"));
    Files.createDirectories(fx.lower(1).resolve("m/s2"));
    Files.createDirectories(fx.lower(1).resolve("lo/s1"));
    assertEquals(0, fx.mkdir("/m/s3", 0755)); // copies m up: now merged upper+lower
    assertEquals(0, fx.mkdir("/u", 0755));
    assertEquals(0, fx.mkdir("/u/s1", 0755));
    assertEquals(0, fx.mkdir("/u/s2", 0755));

    assertEquals(1, fx.getattr("/m").require().nlink());
    assertEquals(1, fx.getattr("/lo").require().nlink());
    assertEquals(1, fx.getattr("/").require().nlink(), "the root merges the branches' roots");
    assertEquals(4, fx.getattr("/u").require().nlink());
  }

  /** Every entry's d_ino and d_type equal what getattr says; returns the names listed. */
  private List<String> assertDinoMatchesStIno(String dir) {
    long fh = fx.opendir(dir).require();
    List<DirHandle.Entry> entries = fx.readdir(fh, 0).require();
    assertEquals(0, fx.releasedir(fh));
    List<String> names = new ArrayList<>();
    for (DirHandle.Entry e : entries) {
      if (e.name().equals("..")) {
        continue;
      }
      String p = e.name().equals(".") ? dir : (dir.equals("/") ? "/" : dir + "/") + e.name();
      Stat st = fx.getattr(p).require();
      assertEquals(st.ino(), e.ino(), "d_ino of " + p);
      assertEquals(st.mode() & FileKind.S_IFMT, e.typeBits(), "d_type of " + p);
      if (!e.name().equals(".")) {
        names.add(e.name());
      }
    }
    return names;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("readdir: d_ino equals getattr's st_ino for every entry of every directory of a two-lower union")
  void readdir_everyEntry_dInoEqualsStIno(String format) throws IOException {
    fx = OpsFixture.of(root, format, 2, Duration.ofSeconds(1));
    Path l1 = fx.lower(1);
    Path l2 = fx.lower(2);
    OpsFixture.put(l2, "a.txt", "a");
    OpsFixture.put(l2, "shadow.txt", "l2");
    OpsFixture.put(l1, "shadow.txt", "l1");
    OpsFixture.put(l2, "dir/x2", "x2");
    OpsFixture.put(l2, "dir/shared", "l2");
    OpsFixture.put(l1, "dir/x1", "x1");
    OpsFixture.put(l1, "dir/shared", "l1");
    OpsFixture.put(l2, "gone.txt", "gone");
    Path hl = OpsFixture.put(l2, "hl1", "hard");
    Files.createLink(l2.resolve("hl2"), hl);
    OpsFixture.put(l2, "only2/deep/f", "deep");
    Files.createSymbolicLink(l1.resolve("link"), Path.of("a.txt"));
    Files.createDirectories(l1.resolve("sub"));
    OpsFixture.put(l1, "fileOverDir", "file");
    OpsFixture.put(l2, "fileOverDir/hidden", "dir below a file");
    create("/new.txt", "n");
    assertEquals(0, fx.mkdir("/dir/updir", 0755));
    create("/dir/updir/f", "f");
    assertEquals(0, fx.unlink("/gone.txt"));
    assertEquals(0, fx.chmod("/dir/x1", 0600));
    create("/dir/newer", "n");

    List<String> top = assertDinoMatchesStIno("/");
    assertEquals(Set.of("a.txt", "shadow.txt", "dir", "hl1", "hl2", "only2", "link", "sub", "fileOverDir", "new.txt"),
        Set.copyOf(top));
    assertEquals(top.size(), Set.copyOf(top).size(), "each name once");
    List<String> dir = assertDinoMatchesStIno("/dir");
    assertEquals(Set.of("x1", "x2", "shared", "updir", "newer"), Set.copyOf(dir));
    assertEquals(dir.size(), Set.copyOf(dir).size(), "each name once");
    assertEquals(List.of("f"), assertDinoMatchesStIno("/dir/updir"));
    assertEquals(List.of(), assertDinoMatchesStIno("/sub"));
    assertEquals(List.of("deep"), assertDinoMatchesStIno("/only2"));
    assertEquals(List.of("f"), assertDinoMatchesStIno("/only2/deep"));
    assertEquals("l1", fx.readString("/shadow.txt"));
    assertEquals("l1", fx.readString("/dir/shared"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("readdir from a non-zero offset returns the same tail after a create; from offset 0 the listing is fresh")
  void readdir_nonZeroOffsetAfterCreate_sameTailOffsetZeroRefreshes(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    for (String n : List.of("a", "b", "c", "d", "e")) {
      OpsFixture.put(fx.lower(1), n, n);
    }
    long fh = fx.opendir("/").require();
    List<DirHandle.Entry> first = fx.readdir(fh, 0).require();
    assertEquals(7, first.size(), ". .. and five names: " + first);

    create("/late", "late");
    OpsFixture.put(fx.lower(1), "lowerLate", "x");
    assertEquals(0, fx.unlink("/c"));

    assertEquals(first.subList(3, first.size()), fx.readdir(fh, 3).require());
    assertEquals(first.subList(6, first.size()), fx.readdir(fh, 6).require());
    assertEquals(List.of(), fx.readdir(fh, first.size()).require(), "offset at the end: nothing more");

    List<String> fresh = new ArrayList<>();
    for (DirHandle.Entry e : fx.readdir(fh, 0).require()) {
      fresh.add(e.name());
    }
    assertTrue(fresh.contains("late"), fresh.toString());
    assertTrue(fresh.contains("lowerLate"), fresh.toString());
    assertFalse(fresh.contains("c"), fresh.toString());
    assertEquals(0, fx.releasedir(fh));
  }
}
