package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelTmpfs;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.RelUpperFsck;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * A full upper and a read-only upper. The upper is a small tmpfs (16 MiB) mounted under the
 * union; the lower is on the host disk.
 *
 * <ul>
 *   <li>Out of space: a copy-up of a lower file larger than the free space, and writes that fill
 *       the upper, answer ENOSPC to the caller; the partial copy is removed (the work
 *       directory's tmp area is empty and the space is free again); the file still shows its
 *       lower content; the union stays usable; once space is freed the same copy-up works. The
 *       same for every trigger of a copy-up with data (open for write, chmod, truncate, rename,
 *       link) and for running out of inodes (create, mkdir, and the whiteout an unlink needs:
 *       the unlinked name must stay visible).
 *   <li>Read-only: the upper's tmpfs is remounted read-only while the union is mounted; every
 *       change answers EROFS (the errno the upper's filesystem gives the daemon, passed on
 *       unchanged: EIO would hide the cause), reads of lower and upper files and listings keep
 *       working, and after remounting read-write the union writes again.
 * </ul>
 * Lowers are fingerprinted before and compared after each test; every tmpfs is unmounted in
 * finally (after the union).
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("full and read-only upper: ENOSPC and EROFS, cleaned up, union usable")
class FullDiskTest {
  private static final int MIB = 1 << 20;

  private static byte[] fill(RelUnion u) throws IOException {
    byte[] big = Fixture.bytes(24 * MIB, 24);
    Fixture.file(u.lower(1).resolve("big24"), big);
    Fixture.file(u.lower(1).resolve("mid12"), Fixture.bytes(12 * MIB, 12));
    Fixture.file(u.lower(1).resolve("d/small1"), "small one\n");
    Fixture.file(u.lower(1).resolve("d/small2"), "small two\n");
    Fixture.file(u.lower(1).resolve("keep.txt"), "keep\n");
    return big;
  }

  private static void assertErrno(String expected, Call c, List<String> record) {
    record.add(c.what().replaceAll("/[^ ,)]*/mnt/", "") + " -> " + c.outcome());
    assertEquals(expected, c.outcome(), c.toString());
  }

  private static void assertCleanAfterFailure(RelUnion u, RelTmpfs fs, long baselineUsed, String what) {
    RelUpperFsck.Report r = RelUpperFsck.check(u.upper(), u.system().whiteoutFormat(),
        MountedTree.read(u.mnt()).entries().keySet(), u.lowers());
    assertEquals(List.of(), r.workTemps(), what + ": the partial copy must be removed from the work directory");
    assertEquals(List.of(), r.problems(false), what + ": upper fsck");
    long used = fs.usedBytes();
    assertTrue(used <= baselineUsed + MIB, what + ": the space of the partial copy must be free again; used "
        + used + " bytes, " + baselineUsed + " before");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void upperFills_copyUpAndWritesAnswerENOSPC_partialCopyRemoved_unionUsable(UnionSystem system, @TempDir Path tmp)
      throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> record = new ArrayList<>();
    RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system);
    byte[] big = fill(u);
    byte[] mid = Fixture.readBytes(u.lower(1).resolve("mid12"));
    Map<String, String> lowerBefore = BranchChecksum.of(u.lower(1));
    try (RelTmpfs fs = RelTmpfs.mount(u.upper(), "size=16m,mode=0755"); RelUnion union = u.mount()) {
      long baseline = fs.usedBytes();

      // 1. a lower file bigger than the free space. A change of attributes needs no data (a
      // metadata-only copy): it works, and the file keeps showing the lower's data.
      assertErrno("OK", Syscalls.chmod(union.at("big24"), 0600), record);
      assertCleanAfterFailure(union, fs, baseline, "chmod (metadata-only copy-up)");
      assertEquals(0600, Fixture.stat(union.at("big24")).perm());
      assertArrayEquals(big, Files.readAllBytes(union.at("big24")), "after a metadata-only copy-up the data is the lower's");
      // Opening for write needs the data: ENOSPC, the partial copy goes, the file is unchanged
      assertErrno("ENOSPC", Syscalls.openClose(union.at("big24"), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0), record);
      assertCleanAfterFailure(union, fs, baseline, "open for write of a 24 MiB lower file");
      assertArrayEquals(big, Files.readAllBytes(union.at("big24")), "the file still shows its lower content");
      assertEquals(0600, Fixture.stat(union.at("big24")).perm(), "and keeps the mode set before");
      // truncate, rename and link may need the data too: each either works completely or fails
      // with ENOSPC and changes nothing; never a half-copied file
      Call trunc = Syscalls.truncate(union.at("big24"), 1000);
      record.add("truncate(big24, 1000) -> " + trunc.outcome());
      assertTrue(trunc.ok() || "ENOSPC".equals(trunc.errno()), trunc.toString());
      assertCleanAfterFailure(union, fs, baseline + (trunc.ok() ? MIB : 0), "truncate");
      byte[] now = Files.readAllBytes(union.at("big24"));
      assertArrayEquals(trunc.ok() ? Arrays.copyOf(big, 1000) : big, now, "truncate: all or nothing");
      Call ren = Syscalls.rename(union.at("big24"), union.at("moved"));
      record.add("rename(big24, moved) -> " + ren.outcome());
      assertTrue(ren.ok() || "ENOSPC".equals(ren.errno()), ren.toString());
      String at = ren.ok() ? "moved" : "big24";
      assertTrue(Fixture.exists(union.at(at)) && !Fixture.exists(union.at(ren.ok() ? "big24" : "moved")),
          "rename: all or nothing");
      assertArrayEquals(now, Files.readAllBytes(union.at(at)), "rename keeps the content");
      Call link = Syscalls.link(union.at(at), union.at("hard"));
      record.add("link(" + at + ", hard) -> " + link.outcome());
      assertTrue(link.ok() || "ENOSPC".equals(link.errno()), link.toString());
      assertEquals(link.ok(), Fixture.exists(union.at("hard")), "link: all or nothing");
      assertCleanAfterFailure(union, fs, baseline + 2L * MIB, "rename and link");
      if (link.ok()) {
        Syscalls.unlink(union.at("hard")).requireOk();
      }
      if (ren.ok()) {
        Syscalls.rename(union.at("moved"), union.at("big24")).requireOk();
      }

      // 2. the union stays usable: small creates, reads, whiteouts
      Fixture.file(union.at("new.txt"), "fits\n");
      assertEquals("fits\n", Fixture.read(union.at("new.txt")));
      assertEquals("small one\n", Fixture.read(union.at("d/small1")));
      Syscalls.unlink(union.at("d/small2")).requireOk();
      assertFalse(Fixture.exists(union.at("d/small2")));

      // 3. a write that fills the upper answers ENOSPC; the bytes written before it stay readable
      Call open = Syscalls.open(union.at("filler"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644);
      int fd = (int) open.requireOk();
      long written = 0;
      Call last = null;
      byte[] chunk = Fixture.bytes(MIB, 7);
      try {
        for (int i = 0; i < 40; i++) {
          last = Syscalls.write(fd, chunk);
          if (!last.ok()) {
            break;
          }
          written += last.ret();
        }
      } finally {
        Syscalls.close(fd);
      }
      assertErrno("ENOSPC", last, record);
      assertTrue(written > 8L * MIB && written < 16L * MIB, "wrote " + written + " bytes before ENOSPC");
      // (that the file holds exactly the bytes reported written is writeFillsUpper_fileHoldsExactlyTheBytesReported)
      // a full upper: even a small copy-up fails cleanly, and so does a new file's write
      long usedFull = fs.usedBytes();
      assertErrno("ENOSPC", Syscalls.openClose(union.at("keep.txt"), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0), record);
      assertEquals("keep\n", Fixture.read(union.at("keep.txt")));
      assertTrue(fs.usedBytes() <= usedFull, "a failed copy-up leaves nothing behind on a full upper");

      // 4. freeing space makes the copy-up work: part of it for the 12 MiB file, then all of it
      Syscalls.truncate(union.at("filler"), 6L * MIB).requireOk();
      long usedPartlyFreed = fs.usedBytes();
      assertErrno("ENOSPC", Syscalls.openClose(union.at("mid12"), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0), record);
      assertCleanAfterFailure(union, fs, usedPartlyFreed, "copy-up of 12 MiB into about 10 MiB freed");
      Syscalls.unlink(union.at("filler")).requireOk();
      awaitUsedBelow(fs, baseline + 2L * MIB);
      Call ok = Syscalls.open(union.at("mid12"), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0);
      int fd2 = (int) ok.requireOk();
      try {
        Syscalls.write(fd2, "+tail".getBytes()).requireOk();
      } finally {
        Syscalls.close(fd2);
      }
      byte[] got = Files.readAllBytes(union.at("mid12"));
      assertEquals(mid.length + 5, got.length);
      assertArrayEquals(mid, Arrays.copyOf(got, mid.length), "copied-up data equals the lower's");
      assertTrue(Files.exists(union.upper().resolve("mid12")), "mid12 is in the upper now");
      assertEquals(List.of(), RelUpperFsck.check(union.upper(), system.whiteoutFormat(),
          MountedTree.read(union.mnt()).entries().keySet(), union.lowers()).workTemps());
    } finally {
      u.close();
      System.out.println("FullDiskTest ENOSPC " + system + ": " + record.size() + " cases: " + record);
    }
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BranchChecksum.of(u.lower(1))), "lower unchanged");
  }

  /**
   * write(2) returns how many bytes it wrote when it wrote some, and an error only when it wrote
   * nothing; the file must hold exactly the bytes reported. FUSE splits a write into requests of
   * max_write (128 KiB); a request that the upper can take only in part must be answered with
   * the short count, or the caller is told less than what landed in the file.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void writeFillsUpper_fileHoldsExactlyTheBytesReported(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system);
    fill(u);
    try (RelTmpfs fs = RelTmpfs.mount(u.upper(), "size=16m,mode=0755"); RelUnion union = u.mount();
        RelTmpfs plain = RelTmpfs.mount(tmp.resolve("plain"), "size=16m,mode=0755")) {
      for (Path dir : List.of(plain.dir(), union.mnt())) {
        int fd = (int) Syscalls.open(dir.resolve("filler"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644).requireOk();
        long written = 0;
        Call last = null;
        byte[] chunk = Fixture.bytes(MIB, 7);
        try {
          for (int i = 0; i < 40; i++) {
            last = Syscalls.write(fd, chunk);
            if (!last.ok()) {
              break;
            }
            written += last.ret();
          }
        } finally {
          Syscalls.close(fd);
        }
        String where = dir.equals(plain.dir()) ? "plain tmpfs" : "union on a tmpfs upper";
        assertEquals("ENOSPC", last.outcome(), where + ": " + last);
        assertEquals(written, Fixture.stat(dir.resolve("filler")).size(),
            where + ": file size after writes that returned " + written + " bytes in total, then ENOSPC");
      }
    } finally {
      u.close();
    }
  }

  private static void awaitUsedBelow(RelTmpfs fs, long bytes) throws InterruptedException {
    // the daemon closes the unlinked file when FUSE's release arrives, which is asynchronous
    for (int i = 0; i < 100 && fs.usedBytes() > bytes; i++) {
      Thread.sleep(50);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void upperOutOfInodes_createsAndWhiteoutsAnswerENOSPC_namesUnchanged(UnionSystem system, @TempDir Path tmp)
      throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> record = new ArrayList<>();
    RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system);
    fill(u);
    Map<String, String> lowerBefore = BranchChecksum.of(u.lower(1));
    try (RelTmpfs fs = RelTmpfs.mount(u.upper(), "size=16m,nr_inodes=40,mode=0755"); RelUnion union = u.mount()) {
      // use up the inodes with empty files in an upper directory
      Syscalls.mkdir(union.at("many"), 0755).requireOk();
      int made = 0;
      Call c = null;
      for (int i = 0; i < 100; i++) {
        c = Syscalls.openClose(union.at("many/f" + i), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644);
        if (!c.ok()) {
          break;
        }
        made++;
      }
      assertErrno("ENOSPC", c, record);
      assertTrue(made > 10, "created " + made + " files first");
      assertErrno("ENOSPC", Syscalls.mkdir(union.at("newdir"), 0755), record);
      assertErrno("ENOSPC", Syscalls.symlink("x", union.at("newlink")), record);
      // the unlink of a lower file needs a whiteout (and the copy-up of its directory): it must fail
      // as a whole and the file stay visible, never vanish without its whiteout
      Call unlink = Syscalls.unlink(union.at("d/small1"));
      assertErrno("ENOSPC", unlink, record);
      assertEquals("small one\n", Fixture.read(union.at("d/small1")), "a failed unlink leaves the name");
      Call unlinkTop = Syscalls.unlink(union.at("keep.txt"));
      assertErrno("ENOSPC", unlinkTop, record);
      assertEquals("keep\n", Fixture.read(union.at("keep.txt")));
      RelUpperFsck.Report r = RelUpperFsck.check(union.upper(), system.whiteoutFormat(),
          MountedTree.read(union.mnt()).entries().keySet(), union.lowers());
      assertEquals(List.of(), r.workTemps(), "work tmp empty after the failures");
      assertEquals(List.of(), r.problems(false), "upper fsck");
      // free two inodes: the unlink works and leaves its whiteout
      Syscalls.unlink(union.at("many/f0")).requireOk();
      Syscalls.unlink(union.at("many/f1")).requireOk();
      Syscalls.unlink(union.at("keep.txt")).requireOk();
      assertFalse(Fixture.exists(union.at("keep.txt")));
      union.unmount();
      union.mount();
      assertFalse(Fixture.exists(union.at("keep.txt")), "the whiteout made after freeing inodes survives a remount");
      assertEquals("small one\n", Fixture.read(union.at("d/small1")));
    } finally {
      u.close();
      System.out.println("FullDiskTest inodes " + system + ": " + record.size() + " cases: " + record);
    }
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BranchChecksum.of(u.lower(1))), "lower unchanged");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void upperRemountedReadOnly_changesAnswerEROFS_readsWork_thenWritableAgain(UnionSystem system, @TempDir Path tmp)
      throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> record = new ArrayList<>();
    RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system);
    byte[] big = fill(u);
    Map<String, String> lowerBefore = BranchChecksum.of(u.lower(1));
    try (RelTmpfs fs = RelTmpfs.mount(u.upper(), "size=64m,mode=0755"); RelUnion union = u.mount()) {
      Fixture.file(union.at("up.txt"), "in the upper\n");
      Syscalls.mkdir(union.at("updir"), 0755).requireOk();
      remount(fs, "ro");
      try {
        // reads keep working
        assertEquals("in the upper\n", Fixture.read(union.at("up.txt")));
        assertEquals("small one\n", Fixture.read(union.at("d/small1")));
        assertArrayEquals(big, Files.readAllBytes(union.at("big24")));
        assertEquals(List.of("big24", "d", "keep.txt", "mid12", "up.txt", "updir"), Fixture.names(union.mnt()));
        // every change answers EROFS
        int rw = Syscalls.O_WRONLY;
        assertErrno("EROFS", Syscalls.openClose(union.at("new.txt"), Syscalls.O_CREAT | rw, 0644), record);
        assertErrno("EROFS", Syscalls.openClose(union.at("up.txt"), rw, 0), record);
        assertErrno("EROFS", Syscalls.openClose(union.at("keep.txt"), rw, 0), record);
        assertErrno("EROFS", Syscalls.openClose(union.at("up.txt"), Syscalls.O_WRONLY | Syscalls.O_TRUNC, 0), record);
        assertErrno("EROFS", Syscalls.mkdir(union.at("newdir"), 0755), record);
        assertErrno("EROFS", Syscalls.unlink(union.at("keep.txt")), record);
        assertErrno("EROFS", Syscalls.unlink(union.at("up.txt")), record);
        assertErrno("EROFS", Syscalls.rmdir(union.at("updir")), record);
        assertErrno("EROFS", Syscalls.chmod(union.at("up.txt"), 0600), record);
        assertErrno("EROFS", Syscalls.chmod(union.at("keep.txt"), 0600), record);
        assertErrno("EROFS", Syscalls.rename(union.at("up.txt"), union.at("up2.txt")), record);
        assertErrno("EROFS", Syscalls.rename(union.at("keep.txt"), union.at("keep2.txt")), record);
        assertErrno("EROFS", Syscalls.truncate(union.at("up.txt"), 0), record);
        assertErrno("EROFS", Syscalls.symlink("t", union.at("sl")), record);
        assertErrno("EROFS", Syscalls.link(union.at("up.txt"), union.at("hl")), record);
        assertErrno("EROFS", Syscalls.setxattr(union.at("up.txt"), "user.k", "v"), record);
        // nothing changed meanwhile
        assertEquals("in the upper\n", Fixture.read(union.at("up.txt")));
        assertEquals(List.of("big24", "d", "keep.txt", "mid12", "up.txt", "updir"), Fixture.names(union.mnt()));
      } finally {
        remount(fs, "rw");
      }
      Fixture.file(union.at("new.txt"), "after rw\n");
      Syscalls.unlink(union.at("keep.txt")).requireOk();
      assertEquals("after rw\n", Fixture.read(union.at("new.txt")));
      assertFalse(Fixture.exists(union.at("keep.txt")));
    } finally {
      u.close();
      System.out.println("FullDiskTest EROFS " + system + ": " + record.size() + " cases: " + record);
    }
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BranchChecksum.of(u.lower(1))), "lower unchanged");
  }

  private static void remount(RelTmpfs fs, String mode) {
    var r = fs.remount(mode);
    assertEquals(0, r.exit(), "mount -o remount," + mode + ": " + r.stderr());
  }
}
