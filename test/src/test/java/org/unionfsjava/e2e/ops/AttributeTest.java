package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Metadata operations: chmod, chown, utimens (nanoseconds) and extended attributes (user.*
 * round-trip, list, remove). The copy-up each of them triggers on a lower file is checked in
 * detail by {@code semantics.CopyUpTest}; here the operation's own result is checked.
 */
@Timeout(120)
@DisplayName("chmod, chown, utimens, xattrs")
class AttributeTest {
  static final Instant LOWER_MTIME = Instant.parse("2010-01-01T00:00:00.5Z");

  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, AttributeTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l = u.lower(1);
    Fixture.mode(file(l.resolve("chmod/f"), "f"), 0644);
    Fixture.mode(Fixture.dir(l.resolve("chmod/d")), 0755);
    file(l.resolve("chown/f"), "f");
    Files.createSymbolicLink(l.resolve("chown/link"), Path.of("f"));
    Fixture.mtime(file(l.resolve("utimens/f"), "f"), LOWER_MTIME);
    Fixture.mtime(file(l.resolve("utimens/touch"), "t"), LOWER_MTIME);
    file(l.resolve("xattr/lower"), "lower");
    Syscalls.setxattr(l.resolve("xattr/lower"), "user.origin", "lower").requireOk();
    Fixture.dir(l.resolve("xattr/nio"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("chmod of a lower file and a lower directory changes the mode in the view, incl. setuid/sticky bits")
  void chmod_lowerObjects_changesMode(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.chmod(u.at("chmod/f"), 04750).outcome());
    assertEquals("OK", Syscalls.chmod(u.at("chmod/d"), 01700).outcome());
    assertEquals("4750", Integer.toOctalString(Fixture.stat(u.at("chmod/f")).perm()));
    assertEquals("1700", Integer.toOctalString(Fixture.stat(u.at("chmod/d")).perm()));
    assertEquals("644", Integer.toOctalString(Fixture.stat(u.lower(1).resolve("chmod/f")).perm()), "lower");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("chown of a lower file sets numeric owner and group; lchown of a symlink changes the link only")
  void chown_lowerFileAndSymlink_changesOwner(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.lchown(u.at("chown/f"), 1234, 5678).outcome());
    Fixture.Stat f = Fixture.stat(u.at("chown/f"));
    assertEquals("1234:5678", f.uid() + ":" + f.gid());
    assertEquals("OK", Syscalls.lchown(u.at("chown/link"), 4321, 8765).outcome());
    Fixture.Stat link = Fixture.stat(u.at("chown/link"));
    assertEquals("4321:8765", link.uid() + ":" + link.gid(), "symlink owner");
    assertEquals("1234:5678", Fixture.stat(u.at("chown/f")).uid() + ":" + Fixture.stat(u.at("chown/f")).gid(),
        "target unchanged by lchown");
    assertEquals(0, Fixture.stat(u.lower(1).resolve("chown/f")).uid(), "lower owner");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("utimens keeps nanoseconds: setLastModifiedTime and setTimes read back exactly")
  void utimens_nanoseconds_readBackExactly(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Instant mtime = Instant.parse("2021-06-07T08:09:10.123456789Z");
    Instant atime = Instant.parse("2019-01-02T03:04:05.987654321Z");
    Files.setLastModifiedTime(u.at("utimens/f"), FileTime.from(mtime));
    assertEquals(mtime, Files.getLastModifiedTime(u.at("utimens/f"), LinkOption.NOFOLLOW_LINKS).toInstant());
    Files.getFileAttributeView(u.at("utimens/f"), BasicFileAttributeView.class)
        .setTimes(null, FileTime.from(atime), null);
    assertEquals(atime, ((FileTime) Files.getAttribute(u.at("utimens/f"), "lastAccessTime")).toInstant(), "atime");
    assertEquals(mtime, Files.getLastModifiedTime(u.at("utimens/f")).toInstant(), "mtime kept when only atime set");
    assertEquals(LOWER_MTIME, Files.getLastModifiedTime(u.lower(1).resolve("utimens/f")).toInstant(), "lower");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("touch -d with fractional seconds sets mtime with ns; touch of a new name creates it")
  void utimens_touchCommand_setsNanoseconds(UnionSystem system) {
    TestUnion u = unions.get(system);
    Processes.run(Duration.ofSeconds(30), "env", "TZ=UTC", "touch", "-m", "-d", "2001-02-03 04:05:06.123456789",
        u.at("utimens/touch").toString()).requireSuccess("touch -d");
    Processes.Result st = Processes.run(Duration.ofSeconds(30), "env", "TZ=UTC", "stat", "-c", "%y",
        u.at("utimens/touch").toString()).requireSuccess("stat");
    assertEquals("2001-02-03 04:05:06.123456789 +0000", st.stdout().trim());
    Processes.run(Duration.ofSeconds(30), "touch", u.at("utimens/new").toString()).requireSuccess("touch new");
    assertTrue(Files.isRegularFile(u.at("utimens/new")));
    assertEquals(0, Fixture.stat(u.at("utimens/new")).size());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("user.* xattrs with setfattr/getfattr: set, list, read, remove; removed reads as 'No such attribute'")
  void xattr_userNamespace_roundTripListRemove(UnionSystem system) {
    TestUnion u = unions.get(system);
    String f = file(u.at("xattr/new"), "n").toString();
    run("setfattr", "-n", "user.alpha", "-v", "one", f);
    run("setfattr", "-n", "user.beta", "-v", "0x00ff10", f);
    assertEquals("one", Syscalls.xattrValue(u.at("xattr/new"), "user.alpha"));
    Processes.Result dump = run("getfattr", "--absolute-names", "-d", "-e", "hex", f);
    assertTrue(dump.stdout().contains("user.alpha=0x6f6e65"), dump.stdout());
    assertTrue(dump.stdout().contains("user.beta=0x00ff10"), dump.stdout());
    Processes.Result list = run("getfattr", "--absolute-names", "-m", "-", f);
    assertEquals(List.of("# file: " + f, "user.alpha", "user.beta"), List.of(list.stdout().strip().split("\n")),
        "all names listed, no internal ones");
    run("setfattr", "-x", "user.alpha", f);
    Processes.Result gone = Processes.run(Duration.ofSeconds(30), "getfattr", "--absolute-names", "-n", "user.alpha", f);
    assertEquals(1, gone.exit(), "getfattr of a removed attribute must fail");
    assertTrue(gone.stderr().contains("No such attribute"), gone.stderr());
    assertEquals("ENODATA", Syscalls.getxattr(u.at("xattr/new"), "user.alpha").outcome());
    assertEquals("ENODATA", Syscalls.removexattr(u.at("xattr/new"), "user.alpha").outcome(), "remove twice");
    assertEquals(List.of("# file: " + f, "user.beta"),
        List.of(run("getfattr", "--absolute-names", "-m", "-", f).stdout().strip().split("\n")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("xattrs of a lower file are readable; setting one copies it up and the lower keeps only its own")
  void xattr_lowerFile_readableAndSetCopiesUp(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("lower", Syscalls.xattrValue(u.at("xattr/lower"), "user.origin"));
    assertEquals("OK", Syscalls.setxattr(u.at("xattr/lower"), "user.added", "yes").outcome());
    assertEquals("yes", Syscalls.xattrValue(u.at("xattr/lower"), "user.added"));
    assertEquals("lower", Syscalls.xattrValue(u.at("xattr/lower"), "user.origin"), "copied-up xattr kept");
    assertEquals("yes", Syscalls.xattrValue(u.upper().resolve("xattr/lower"), "user.added"), "upper");
    assertEquals(null, Syscalls.xattrValue(u.lower(1).resolve("xattr/lower"), "user.added"), "lower unchanged");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("NIO UserDefinedFileAttributeView writes, lists, reads and deletes user xattrs on a directory")
  void xattr_nioUserView_roundTrip(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    UserDefinedFileAttributeView view = Files.getFileAttributeView(u.at("xattr/nio"), UserDefinedFileAttributeView.class);
    view.write("k", ByteBuffer.wrap("v1".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("k"), view.list());
    ByteBuffer buf = ByteBuffer.allocate(view.size("k"));
    view.read("k", buf);
    assertEquals("v1", new String(buf.array(), StandardCharsets.UTF_8));
    view.delete("k");
    assertEquals(List.of(), view.list());
  }

  private static Processes.Result run(String... cmd) {
    return Processes.run(Duration.ofSeconds(30), cmd).requireSuccess(String.join(" ", cmd));
  }
}
