package org.unionfsjava.e2e.semantics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.names;
import static org.unionfsjava.e2e.support.Fixture.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.OnDiskFormat;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Whiteouts and opaque directories with one lower (DESIGN §2 "Delete" and "Create over a
 * whiteout"), and what they look like in the upper per format (DESIGN §3): overlay writes char
 * devices 0/0 and {@code trusted.overlay.opaque=y}, aufs writes {@code .wh.NAME} and
 * {@code .wh..wh..opq}, and reserves the {@code .wh.} prefix.
 */
@Timeout(120)
@DisplayName("whiteouts and opaque directories")
class WhiteoutOpaqueTest {
  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, WhiteoutOpaqueTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l = u.lower(1);
    file(l.resolve("unlink/f"), "lower f");
    file(l.resolve("unlink/other"), "other");
    Fixture.dir(l.resolve("unlink-upper"));
    file(l.resolve("rmrf/tree/a"), "a");
    file(l.resolve("rmrf/tree/sub/b"), "b");
    file(l.resolve("rmrf/tree/sub/deeper/c"), "c");
    Files.createSymbolicLink(l.resolve("rmrf/tree/sub/link"), Path.of("b"));
    file(l.resolve("recreate/f"), "old");
    file(l.resolve("opaque/d/a"), "lower a");
    file(l.resolve("opaque/d/sub/b"), "lower b");
    file(l.resolve("merged-empty/d/a"), "a");
    file(l.resolve("merged-empty/d/b"), "b");
    file(l.resolve("notempty/d/a"), "a");
    file(l.resolve("notempty/d/b"), "b");
    file(l.resolve("aufs-reserved/f"), "f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("unlink of a file only in the lower hides it (listing, stat ENOENT) with a whiteout; the lower keeps it")
  void unlink_fileOnlyInLower_createsWhiteout(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.unlink(u.at("unlink/f")).outcome());
    assertEquals(List.of("other"), names(u.at("unlink")));
    assertEquals("ENOENT", Syscalls.access(u.at("unlink/f"), Syscalls.F_OK).outcome(), "stat after unlink");
    assertEquals("ENOENT", Syscalls.open(u.at("unlink/f"), Syscalls.O_RDONLY, 0).outcome(), "open after unlink");
    assertEquals("ENOENT", Syscalls.unlink(u.at("unlink/f")).outcome(), "second unlink");
    assertEquals("lower f", read(u.lower(1).resolve("unlink/f")), "lower keeps the file");
    OnDiskFormat.assertWhiteout(system, u.upper(), "unlink/f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("unlink of a file that exists only in the upper deletes it and leaves no whiteout")
  void unlink_fileOnlyInUpper_noWhiteout(UnionSystem system) {
    TestUnion u = unions.get(system);
    file(u.at("unlink-upper/f"), "upper");
    assertEquals("OK", Syscalls.unlink(u.at("unlink-upper/f")).outcome());
    assertEquals(List.of(), names(u.at("unlink-upper")));
    assertFalse(Fixture.exists(u.upper().resolve("unlink-upper/f")), "upper file deleted");
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "unlink-upper/f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rm -rf of a lower tree removes it from view; the lower tree is unchanged; one whiteout hides it")
  void rmRf_lowerTree_hiddenAndLowerUnchanged(UnionSystem system) {
    TestUnion u = unions.get(system);
    Map<String, String> lowerBefore = TreeSnapshot.of(u.lower(1).resolve("rmrf"), true);
    Processes.run(Duration.ofSeconds(60), "rm", "-rf", u.at("rmrf/tree").toString()).requireSuccess("rm -rf");
    assertEquals(List.of(), names(u.at("rmrf")));
    assertEquals("ENOENT", Syscalls.access(u.at("rmrf/tree/sub/b"), Syscalls.F_OK).outcome());
    assertEquals(lowerBefore, TreeSnapshot.of(u.lower(1).resolve("rmrf"), true), "lower tree");
    OnDiskFormat.assertWhiteout(system, u.upper(), "rmrf/tree");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("unlink then create again: the new content shows, the whiteout is gone, the lower keeps the old file")
  void unlinkThenCreate_lowerFile_showsNewContent(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Files.delete(u.at("recreate/f"));
    Files.writeString(u.at("recreate/f"), "new");
    assertEquals("new", read(u.at("recreate/f")));
    assertEquals(List.of("f"), names(u.at("recreate")));
    assertEquals("old", read(u.lower(1).resolve("recreate/f")), "lower");
    assertEquals("file", Fixture.stat(u.upper().resolve("recreate/f")).kind(), "upper holds a regular file");
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "recreate/f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rmdir of a lower dir, then mkdir: the new dir is empty and opaque; lower children never show again")
  void rmdirThenMkdir_lowerDirectory_isEmptyAndOpaque(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Processes.run(Duration.ofSeconds(30), "rm", "-rf", u.at("opaque/d").toString()).requireSuccess("rm -rf");
    assertEquals("OK", Syscalls.mkdir(u.at("opaque/d"), 0755).outcome());
    assertEquals(List.of(), names(u.at("opaque/d")), "new directory must be empty");
    assertEquals("ENOENT", Syscalls.access(u.at("opaque/d/a"), Syscalls.F_OK).outcome());
    assertEquals("ENOENT", Syscalls.access(u.at("opaque/d/sub/b"), Syscalls.F_OK).outcome());
    OnDiskFormat.assertOpaque(system, u.upper(), "opaque/d");

    file(u.at("opaque/d/a"), "new a");
    assertEquals("new a", read(u.at("opaque/d/a")));
    Files.delete(u.at("opaque/d/a"));
    assertEquals(List.of(), names(u.at("opaque/d")), "deleting the new name must not bring the lower one back");
    assertEquals("ENOENT", Syscalls.access(u.at("opaque/d/a"), Syscalls.F_OK).outcome());
    Syscalls.mkdir(u.at("opaque/d/sub"), 0755).requireOk();
    assertEquals(List.of(), names(u.at("opaque/d/sub")), "a new subdir of an opaque dir is empty too");
    assertNull(Syscalls.xattrValue(u.at("opaque/d"), OnDiskFormat.OVERLAY_OPAQUE_XATTR),
        "the union's own opaque xattr must not show through the mount");
    assertEquals("lower a", read(u.lower(1).resolve("opaque/d/a")), "lower keeps its children");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rmdir of a merged dir whose lower and upper entries were all deleted works and leaves a whiteout")
  void rmdir_mergedDirAllEntriesDeleted_works(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    file(u.at("merged-empty/d/c"), "upper c");
    assertEquals(List.of("a", "b", "c"), names(u.at("merged-empty/d")));
    for (String n : List.of("a", "b", "c")) {
      Files.delete(u.at("merged-empty/d/" + n));
    }
    assertEquals(List.of(), names(u.at("merged-empty/d")));
    assertEquals("OK", Syscalls.rmdir(u.at("merged-empty/d")).outcome());
    assertEquals(List.of(), names(u.at("merged-empty")));
    assertEquals("ENOENT", Syscalls.access(u.at("merged-empty/d"), Syscalls.F_OK).outcome());
    OnDiskFormat.assertWhiteout(system, u.upper(), "merged-empty/d");
    assertEquals(List.of("a", "b"), names(u.lower(1).resolve("merged-empty/d")), "lower");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rmdir of a merged dir that still shows a lower entry answers ENOTEMPTY and changes nothing")
  void rmdir_mergedDirWithLowerEntryLeft_isENOTEMPTY(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Files.delete(u.at("notempty/d/a"));
    assertEquals("ENOTEMPTY", Syscalls.rmdir(u.at("notempty/d")).outcome());
    assertEquals(List.of("b"), names(u.at("notempty/d")));
    assertEquals("b", read(u.at("notempty/d/b")));
    assertTrue(Files.isDirectory(u.at("notempty/d")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_AUFS"})
  @DisplayName("aufs format: names starting with .wh. are reserved: create, mkdir, symlink, rename, link to them fail")
  void aufs_reservedWhiteoutPrefix_createFails(UnionSystem system) {
    TestUnion u = unions.get(system);
    List<Syscalls.Call> calls = List.of(
        Syscalls.openClose(u.at("aufs-reserved/.wh.file"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644),
        Syscalls.mkdir(u.at("aufs-reserved/.wh.dir"), 0755),
        Syscalls.symlink("f", u.at("aufs-reserved/.wh.link")),
        Syscalls.rename(u.at("aufs-reserved/f"), u.at("aufs-reserved/.wh.f")),
        Syscalls.link(u.at("aufs-reserved/f"), u.at("aufs-reserved/.wh.hard")),
        Syscalls.openClose(u.at("aufs-reserved/.wh..wh..opq"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644));
    for (Syscalls.Call c : calls) {
      assertTrue(List.of("EINVAL", "EPERM").contains(c.outcome()), "expected EINVAL or EPERM: " + c);
    }
    assertEquals(List.of("f"), names(u.at("aufs-reserved")), "nothing reserved was created, f still there");
    assertEquals("f", read(u.at("aufs-reserved/f")));
    assertFalse(Fixture.exists(u.upper().resolve("aufs-reserved/.wh.f")), "f was not whited out by the failed rename");
  }
}
