package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UpperOnlyBranchIo (DESIGN §2: lowers are never written)")
class UpperOnlyBranchIoTest extends AufsUnionTestBase {
  private Path upper;
  private Path lower;
  private BranchIo guarded;

  @BeforeEach
  void branches() throws IOException {
    upper = Files.createDirectories(path("/u/upper"));
    lower = Files.createDirectories(path("/u/lower1"));
    Files.createDirectories(path("/u/work"));
    Files.writeString(lower.resolve("f"), "lower1");
    guarded = new UpperOnlyBranchIo(io, upper, path("/u/work"));
  }

  @Test
  @DisplayName("Every change to a lower path is EROFS and changes nothing; reads pass")
  void changesToLower_erofs() throws IOException {
    Path f = lower.resolve("f");

    assertErrno(Errno.EROFS, () -> guarded.unlink(f));
    assertErrno(Errno.EROFS, () -> guarded.chmod(f, 0777));
    assertErrno(Errno.EROFS, () -> guarded.utimens(f, 1, 1));
    assertErrno(Errno.EROFS, () -> guarded.truncate(f, 0));
    assertErrno(Errno.EROFS, () -> guarded.createFile(lower.resolve("new"), 0644));
    assertErrno(Errno.EROFS, () -> guarded.mkdir(lower.resolve("d"), 0755));
    assertErrno(Errno.EROFS, () -> guarded.rename(f, upper.resolve("f"), BranchIo.RenameMode.REPLACE));
    assertErrno(Errno.EROFS, () -> guarded.link(f, upper.resolve("hard")));
    assertErrno(Errno.EROFS, () -> guarded.setXattr(f, "user.x", new byte[] {1}, 0));

    assertEquals("lower1", Files.readString(f));
    assertEquals(FileKind.REGULAR, guarded.lstat(f).kind());
    assertFalse(Files.exists(upper.resolve("f")));
    assertFalse(Files.exists(upper.resolve("hard")));
  }

  @Test
  @DisplayName("Changes in the upper and the work directory pass; data may be copied from a lower")
  void changesToUpperAndWork_pass() throws IOException {
    guarded.copyFileData(lower.resolve("f"), path("/u/work/t"), false);
    guarded.rename(path("/u/work/t"), upper.resolve("f"), BranchIo.RenameMode.NOREPLACE);
    guarded.mkdir(upper.resolve("d"), 0755);

    assertEquals("lower1", Files.readString(upper.resolve("f")));
    assertTrue(Files.isDirectory(upper.resolve("d")));
  }

  @Test
  @DisplayName("A lower path spelled through '..' from the upper is refused as well")
  void dotDotFromUpper_erofs() throws IOException {
    Path sneaky = upper.resolve("../lower1/f");

    assertErrno(Errno.EROFS, () -> guarded.unlink(sneaky));
    assertTrue(Files.exists(lower.resolve("f")), "the lower file was deleted through upper/..");
  }
}
