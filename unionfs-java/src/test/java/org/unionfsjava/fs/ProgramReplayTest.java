package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.OpsFixture.EEXIST;
import static org.unionfsjava.fs.OpsFixture.ENOENT;
import static org.unionfsjava.fs.OpsFixture.utf8;
import static org.unionfsjava.fs.nativeio.NativeFile.O_CREAT;
import static org.unionfsjava.fs.nativeio.NativeFile.O_EXCL;
import static org.unionfsjava.fs.nativeio.NativeFile.O_RDONLY;
import static org.unionfsjava.fs.nativeio.NativeFile.O_RDWR;
import static org.unionfsjava.fs.nativeio.NativeFile.O_WRONLY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;

/**
 * Real programs' call sequences replayed against {@link UnionOps} (the idea of cryptomator's
 * AccessPatternIntegrationTest), in both whiteout formats, with every answer asserted as the
 * kernel would receive it. After each program no handle may be left open.
 */
@DisplayName("UnionOps: replayed programs (editor save, cp -p, rm -rf, mkdir -p, tar x)")
class ProgramReplayTest {
  private static final int S_IFMT = FileKind.S_IFMT;
  private static final long NS = 1_000_000_000L;

  @TempDir Path root;
  private OpsFixture fx;

  @AfterEach
  void noLeakedHandles() {
    if (fx == null) {
      return;
    }
    try {
      assertEquals(0, fx.ops.table().openCount(), "handles left open by the replayed program");
    } finally {
      fx.close();
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * NS + t.getNano();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("editor safe save: swap file written and fsynced, old file renamed to a backup, swap renamed over it, backup unlinked")
  void editorSafeSave_fileOnlyInLower_newContentInUpperLowerUnchanged(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    Path lowerDoc = OpsFixture.put(fx.lower(1), "notes/doc.txt", "old text\n");
    Files.setPosixFilePermissions(lowerDoc, PosixFilePermissions.fromString("rw-r-----"));
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    // the editor opens the file
    Stat orig = fx.getattr("/notes/doc.txt").require();
    assertEquals(FileKind.REGULAR.typeBits(), orig.mode() & S_IFMT);
    assertEquals(9, orig.size());
    assertEquals("old text\n", fx.readString("/notes/doc.txt"));
    assertEquals(-ENOENT, fx.getattr("/notes/.doc.txt.swp").rc());

    // it writes the new text to the swap file and makes it durable
    long swp = fx.create("/notes/.doc.txt.swp", 0600, O_RDWR | O_CREAT | O_EXCL).require();
    byte[] text = utf8("new text, longer than before\n");
    assertEquals(text.length, fx.write(swp, text, 0));
    assertEquals(0, fx.fsync(swp, false));
    assertEquals(text.length, fx.fgetattr(swp).require().size());
    assertEquals(0, fx.release(swp));
    // gives it the original's mode
    assertEquals(0, fx.chmod("/notes/.doc.txt.swp", orig.permissions()));

    // backup, replace, drop the backup
    assertEquals(0, fx.rename("/notes/doc.txt", "/notes/doc.txt~"));
    assertEquals(-ENOENT, fx.getattr("/notes/doc.txt").rc());
    assertEquals(0, fx.rename("/notes/.doc.txt.swp", "/notes/doc.txt"));
    assertEquals("old text\n", fx.readString("/notes/doc.txt~"));
    assertEquals(0, fx.unlink("/notes/doc.txt~"));

    Stat saved = fx.getattr("/notes/doc.txt").require();
    assertEquals(text.length, saved.size());
    assertEquals(0640, saved.permissions());
    assertArrayEquals(text, fx.readFile("/notes/doc.txt"));
    assertEquals(-ENOENT, fx.getattr("/notes/doc.txt~").rc());
    assertEquals(-ENOENT, fx.getattr("/notes/.doc.txt.swp").rc());
    assertEquals(List.of("doc.txt"), fx.list("/notes"));
    assertArrayEquals(text, Files.readAllBytes(fx.upper.resolve("notes/doc.txt")));
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("cp -p: open source, create target, copy in 64 KiB reads/writes, utimens, chown, chmod, release both")
  void cpPreserve_lowerSourceIntoLowerDir_copyHasDataTimesOwnerMode(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    Path src = fx.lower(1).resolve("src/data.bin");
    Files.createDirectories(src.getParent());
    Files.createDirectories(fx.lower(1).resolve("dst"));
    Files.write(src, data);
    Instant mtime = Instant.parse("2001-02-03T04:05:06.123456789Z");
    Files.setLastModifiedTime(src, FileTime.from(mtime));
    Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-xr--"));
    Files.setAttribute(src, "unix:uid", 1001);
    Files.setAttribute(src, "unix:gid", 1002);
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    Stat s = fx.getattr("/src/data.bin").require();
    assertEquals(data.length, s.size());
    long in = fx.open("/src/data.bin", O_RDONLY).require();
    assertEquals(-ENOENT, fx.getattr("/dst/data.bin").rc());
    long out = fx.create("/dst/data.bin", 0600, O_WRONLY | O_CREAT | O_EXCL).require();
    long off = 0;
    while (true) {
      OpsFixture.Answer<byte[]> r = fx.read(in, 65_536, off);
      assertEquals(Math.min(65_536, data.length - off), r.rc(), "read at " + off);
      if (r.rc() == 0) {
        break;
      }
      assertEquals(r.rc(), fx.write(out, r.value(), off), "write at " + off);
      off += r.rc();
    }
    assertEquals(0, fx.utimens("/dst/data.bin", s.atimeNs(), s.mtimeNs()));
    assertEquals(0, fx.chown("/dst/data.bin", s.uid(), s.gid()));
    assertEquals(0, fx.chmod("/dst/data.bin", s.permissions()));
    assertEquals(0, fx.release(out));
    assertEquals(0, fx.release(in));

    Stat copy = fx.getattr("/dst/data.bin").require();
    assertEquals(data.length, copy.size());
    assertEquals(nanos(mtime), copy.mtimeNs());
    assertEquals(0754, copy.permissions());
    assertEquals(1001, copy.uid());
    assertEquals(1002, copy.gid());
    assertArrayEquals(data, fx.readFile("/dst/data.bin"));
    assertEquals(List.of("data.bin"), fx.list("/dst"));
    assertTrue(Files.isRegularFile(fx.upper.resolve("dst/data.bin")));
    assertTrue(Files.notExists(fx.upper.resolve("src")), "the source was only read: no copy-up");
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }

  /** rm -rf as fts does it: lstat, read the whole directory, descend, unlink, rmdir bottom-up. */
  private void rmRf(String p) {
    Stat st = fx.getattr(p).require();
    if ((st.mode() & S_IFMT) != FileKind.DIRECTORY.typeBits()) {
      assertEquals(0, fx.unlink(p), "unlink " + p);
      return;
    }
    long dh = fx.opendir(p).require();
    List<DirHandle.Entry> entries = fx.readdir(dh, 0).require();
    assertEquals(0, fx.releasedir(dh), "releasedir " + p);
    assertEquals(".", entries.get(0).name());
    assertEquals("..", entries.get(1).name());
    for (DirHandle.Entry e : entries.subList(2, entries.size())) {
      String child = p + "/" + e.name();
      Stat cs = fx.getattr(child).require();
      assertEquals(e.typeBits(), cs.mode() & S_IFMT, "d_type of " + child);
      if (e.typeBits() == FileKind.DIRECTORY.typeBits()) {
        rmRf(child);
      } else {
        assertEquals(0, fx.unlink(child), "unlink " + child);
        assertEquals(-ENOENT, fx.getattr(child).rc(), child + " after unlink");
      }
    }
    assertEquals(0, fx.rmdir(p), "rmdir " + p);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("rm -rf of a tree that exists only in the lower: every name gone, lower unchanged, the name reusable")
  void rmRf_lowerTree_allGoneLowerUnchanged(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "tree/a.txt", "a");
    OpsFixture.put(fx.lower(1), "tree/b/c.txt", "c");
    OpsFixture.put(fx.lower(1), "tree/b/d/e.txt", "e");
    Files.createSymbolicLink(fx.lower(1).resolve("tree/b/d/link"), Path.of("../c.txt"));
    Files.createDirectories(fx.lower(1).resolve("tree/empty"));
    OpsFixture.put(fx.lower(1), "keep.txt", "keep");
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    assertEquals(-OpsFixture.ENOTEMPTY, fx.rmdir("/tree"), "a plain rmdir of the full tree");
    rmRf("/tree");

    assertEquals(-ENOENT, fx.getattr("/tree").rc());
    assertEquals(-ENOENT, fx.getattr("/tree/b/d/e.txt").rc());
    assertEquals(List.of("keep.txt"), fx.list("/"));
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
    // the name can be used again and shows nothing of the old tree
    assertEquals(0, fx.mkdir("/tree", 0755));
    assertEquals(List.of(), fx.list("/tree"));
    assertEquals(-ENOENT, fx.getattr("/tree/a.txt").rc());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("mkdir -p below a lower directory: EEXIST for the existing parts, new parts made, copied parents keep lower metadata")
  void mkdirParents_underLowerDir_existingEexistNewCreated(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "usr/share/existing.txt", "x");
    Path usr = fx.lower(1).resolve("usr");
    Files.setPosixFilePermissions(usr, PosixFilePermissions.fromString("rwxr-x---"));
    Instant usrTime = Instant.parse("2010-10-10T10:10:10.000000010Z");
    Files.setLastModifiedTime(usr, FileTime.from(usrTime));
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    String[] parts = {"/usr", "/usr/share", "/usr/share/doc", "/usr/share/doc/pkg", "/usr/share/doc/pkg/examples"};
    int[] expected = {-EEXIST, -EEXIST, 0, 0, 0};
    for (int i = 0; i < parts.length; i++) {
      int rc = fx.mkdir(parts[i], 0755);
      assertEquals(expected[i], rc, "mkdir " + parts[i]);
      if (rc == -EEXIST) {
        Stat st = fx.getattr(parts[i]).require(); // mkdir -p checks that it is a directory
        assertEquals(FileKind.DIRECTORY.typeBits(), st.mode() & S_IFMT);
      }
    }

    for (String p : List.of("/usr/share/doc", "/usr/share/doc/pkg", "/usr/share/doc/pkg/examples")) {
      Stat st = fx.getattr(p).require();
      assertEquals(FileKind.DIRECTORY.typeBits(), st.mode() & S_IFMT, p);
      assertEquals(0755, st.permissions(), p);
    }
    assertEquals(Set.of("existing.txt", "doc"), Set.copyOf(fx.list("/usr/share")));
    assertEquals(List.of("examples"), fx.list("/usr/share/doc/pkg"));
    Stat usrNow = fx.getattr("/usr").require();
    assertEquals(0750, usrNow.permissions(), "copied-up parent keeps the lower's mode");
    assertEquals(nanos(usrTime), usrNow.mtimeNs(), "copied-up grandparent keeps the lower's mtime");
    assertEquals(1, usrNow.nlink(), "a merged directory reports nlink 1");
    assertTrue(Files.isDirectory(fx.upper.resolve("usr/share/doc/pkg/examples")));
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }

  /** tar x of one regular file: O_EXCL create (unlink and retry on EEXIST), write, close, times, owner, mode. */
  private void tarExtractFile(String p, byte[] content, long mtimeNs, boolean existsBefore) {
    OpsFixture.Answer<Long> first = fx.create(p, 0600, O_WRONLY | O_CREAT | O_EXCL);
    long fh;
    if (existsBefore) {
      assertEquals(-EEXIST, first.rc(), "create " + p + " while it still shows from the lower");
      assertEquals(0, fx.unlink(p), "unlink " + p);
      assertEquals(-ENOENT, fx.getattr(p).rc());
      fh = fx.create(p, 0600, O_WRONLY | O_CREAT | O_EXCL).require();
    } else {
      fh = first.require();
    }
    assertEquals(content.length, fx.write(fh, content, 0));
    assertEquals(0, fx.release(fh));
    assertEquals(0, fx.utimens(p, mtimeNs, mtimeNs));
    assertEquals(0, fx.chown(p, 0, 0));
    assertEquals(0, fx.chmod(p, 0644));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("tar x over whiteouts: deleted lower names re-created, a still-visible name unlinked and re-created, a directory re-made opaque")
  void tarExtract_overWhiteouts_newFilesShowOnceLowerHidden(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "etc/a.conf", "lower a");
    OpsFixture.put(fx.lower(1), "etc/b.conf", "lower b");
    OpsFixture.put(fx.lower(1), "etc/c.conf", "lower c");
    OpsFixture.put(fx.lower(1), "etc/sub/old.txt", "old");
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    // the user removed some names first
    assertEquals(0, fx.unlink("/etc/a.conf"));
    assertEquals(0, fx.unlink("/etc/b.conf"));
    assertEquals(0, fx.unlink("/etc/sub/old.txt"));
    assertEquals(0, fx.rmdir("/etc/sub"));
    assertEquals(List.of("c.conf"), fx.list("/etc"));

    // tar x
    long t = 1_500_000_000L * NS + 42;
    assertEquals(-ENOENT, fx.getattr("/etc/sub").rc());
    assertEquals(0, fx.mkdir("/etc/sub", 0700));
    tarExtractFile("/etc/sub/new.txt", utf8("new"), t, false);
    tarExtractFile("/etc/a.conf", utf8("tar a"), t, false);
    tarExtractFile("/etc/b.conf", utf8("tar b"), t, false);
    tarExtractFile("/etc/c.conf", utf8("tar c"), t, true);
    assertEquals(0, fx.utimens("/etc/sub", t, t));
    assertEquals(0, fx.chmod("/etc/sub", 0755));

    List<String> names = fx.list("/etc");
    assertEquals(4, names.size(), "each name once: " + names);
    assertEquals(Set.of("a.conf", "b.conf", "c.conf", "sub"), Set.copyOf(names));
    assertEquals(List.of("new.txt"), fx.list("/etc/sub"), "the re-made directory is opaque");
    assertEquals(-ENOENT, fx.getattr("/etc/sub/old.txt").rc());
    for (String n : List.of("a", "b", "c")) {
      assertEquals("tar " + n, fx.readString("/etc/" + n + ".conf"));
      Stat st = fx.getattr("/etc/" + n + ".conf").require();
      assertEquals(t, st.mtimeNs());
      assertEquals(0644, st.permissions());
    }
    Stat sub = fx.getattr("/etc/sub").require();
    assertEquals(0755, sub.permissions());
    assertEquals(t, sub.mtimeNs());
    assertTrue(fx.format.isOpaque(fx.io, fx.upper.resolve("etc/sub")), "opaque on disk in the " + format + " format");
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("a read-only handle on a lower file keeps reading the lower after another handle copies it up (OpenFile's documented rule)")
  void openReadOnly_thenCopyUpByWriter_oldHandleReadsLowerNewOpenReadsUpper(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "f", "lower");

    long reader = fx.open("/f", O_RDONLY).require();
    long writer = fx.open("/f", O_WRONLY).require();
    assertEquals(5, fx.write(writer, utf8("UPPER"), 0));
    assertEquals(0, fx.release(writer));

    OpsFixture.Answer<byte[]> r = fx.read(reader, 100, 0);
    assertEquals(5, r.rc());
    assertArrayEquals(utf8("lower"), r.value());
    assertEquals(0, fx.release(reader));
    assertEquals("UPPER", fx.readString("/f"));
    assertEquals("lower", Files.readString(fx.lower(1).resolve("f")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("atomic save: temp file created, written, fsynced, renamed over a file that exists only in the lower")
  void atomicSave_renameOverLowerFile_newContentShowsOnceLowerUnchanged(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "cfg/app.conf", "v1");
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));

    assertEquals(2, fx.getattr("/cfg/app.conf").require().size());
    long tmp = fx.create("/cfg/app.conf.tmp123", 0644, O_WRONLY | O_CREAT | O_EXCL).require();
    assertEquals(9, fx.write(tmp, utf8("version 2"), 0));
    assertEquals(0, fx.fsync(tmp, true));
    assertEquals(0, fx.release(tmp));
    assertEquals(0, fx.rename("/cfg/app.conf.tmp123", "/cfg/app.conf"));

    assertEquals("version 2", fx.readString("/cfg/app.conf"));
    assertEquals(-ENOENT, fx.getattr("/cfg/app.conf.tmp123").rc());
    assertEquals(List.of("app.conf"), fx.list("/cfg"));
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("rm of an open upper file as libfuse2 does it: rename to .fuse_hidden*, handle still usable, name reusable, hidden name unlinked at release")
  void unlinkWhileOpen_upperFile_hiddenUntilReleased(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "log", "lower log"); // a lower has the name: the unlink needs a whiteout
    long fh = fx.open("/log", O_RDWR).require(); // copies up
    assertEquals(6, fx.write(fh, utf8("UPPER!"), 0));
    String hidden = "/.fuse_hidden0000000a00000001";

    assertEquals(0, fx.rename("/log", hidden));
    assertEquals(-ENOENT, fx.getattr("/log").rc());
    Stat byHandle = fx.fgetattr(fh).require();
    assertEquals(9, byHandle.size());
    Stat byHiddenName = fx.getattr(hidden).require();
    assertEquals(byHandle.ino(), byHiddenName.ino(), "the hidden name is the open file");
    assertEquals(12, fx.write(fh, utf8("more written"), 9));
    assertEquals(21, fx.getattr(hidden).require().size());
    assertEquals(List.of(), fx.list("/"), "neither the old nor the hidden name is listed");

    long fresh = fx.create("/log", 0644, O_WRONLY | O_CREAT | O_EXCL).require();
    assertEquals(3, fx.write(fresh, utf8("new"), 0));
    assertEquals(0, fx.release(fresh));
    OpsFixture.Answer<byte[]> old = fx.read(fh, 100, 0);
    assertEquals(21, old.rc());
    assertArrayEquals(utf8("UPPER!logmore written"), old.value());
    assertEquals(0, fx.release(fh));
    assertEquals(0, fx.unlink(hidden));

    assertEquals(-ENOENT, fx.getattr(hidden).rc());
    assertEquals("new", fx.readString("/log"));
    assertEquals(List.of("log"), fx.list("/"));
    assertEquals(List.of(), fx.io.list(fx.workDir.resolve("tmp")), "the kept object is gone from the work directory");
    assertEquals("lower log", Files.readString(fx.lower(1).resolve("log")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlay", "aufs"})
  @DisplayName("rm of an open lower file as libfuse2 does it: the handle keeps reading the lower, the name is whited out, the lower untouched")
  void unlinkWhileOpen_lowerFile_handleReadsLower(String format) throws IOException {
    fx = OpsFixture.of(root, format);
    OpsFixture.put(fx.lower(1), "data", "lower data");
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));
    long fh = fx.open("/data", O_RDONLY).require();
    String hidden = "/.fuse_hidden0000000b00000002";

    assertEquals(0, fx.rename("/data", hidden));
    assertEquals(-ENOENT, fx.getattr("/data").rc());
    assertEquals(10, fx.getattr(hidden).require().size());
    OpsFixture.Answer<byte[]> r = fx.read(fh, 100, 0);
    assertEquals(10, r.rc());
    assertArrayEquals(utf8("lower data"), r.value());
    assertEquals(0, fx.release(fh));
    assertEquals(0, fx.unlink(hidden));

    assertEquals(-ENOENT, fx.getattr(hidden).rc());
    assertEquals(-ENOENT, fx.getattr("/data").rc());
    assertEquals(List.of(), fx.list("/"));
    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
  }
}
