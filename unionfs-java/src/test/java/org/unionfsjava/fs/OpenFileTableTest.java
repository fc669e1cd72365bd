package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.unionfsjava.fs.OpsFixture.EBADF;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.Branch;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/** The handle table: EBADF for unknown handles, closeAll releases every descriptor. */
@DisplayName("OpenFileTable: handles, EBADF, closeAll")
class OpenFileTableTest {
  @TempDir Path dir;

  private OpenFile openReal(String name) throws IOException {
    Path p = dir.resolve(name);
    int fd = NativeFile.open(p, NativeFile.O_RDWR | NativeFile.O_CREAT, 0600);
    return new OpenFile(fd, new Branch(0, dir, true), UnionPath.of("/" + name), NativeFile.O_RDWR, dir.resolve(name));
  }

  private static void assertEbadf(org.junit.jupiter.api.function.Executable call) {
    UnionException e = assertThrows(UnionException.class, call);
    assertEquals(Errno.EBADF, e.errno());
  }

  @Test
  @DisplayName("file, release and dir of an unknown handle answer EBADF")
  void file_unknownHandle_ebadf() {
    OpenFileTable t = new OpenFileTable();
    assertEbadf(() -> t.file(42));
    assertEbadf(() -> t.release(42));
    assertEbadf(() -> t.dir(42));
  }

  @Test
  @DisplayName("through the barrier an unknown handle is -EBADF for read, write, fsync, release, fgetattr, readdir")
  void callbacks_unknownHandle_minusEbadf(@TempDir Path root) throws IOException {
    try (OpsFixture fx = OpsFixture.of(root, "aufs")) {
      assertEquals(-EBADF, fx.read(77, 10, 0).rc());
      assertEquals(-EBADF, fx.write(77, new byte[] {1}, 0));
      assertEquals(-EBADF, fx.fsync(77, false));
      assertEquals(-EBADF, fx.release(77));
      assertEquals(-EBADF, fx.fgetattr(77).rc());
      assertEquals(-EBADF, fx.readdir(77, 0).rc());
    }
  }

  @Test
  @DisplayName("a released handle is unknown afterwards; handles of files and directories never collide")
  void release_thenUse_ebadfAndHandlesUnique() throws IOException {
    OpenFileTable t = new OpenFileTable();
    OpenFile f = openReal("a");
    long fh = t.addFile(f);
    long dh = t.addDir(new DirHandle(UnionPath.ROOT));
    assertNotEquals(fh, dh);
    assertSame(f, t.file(fh));
    assertEbadf(() -> t.file(dh));
    assertEbadf(() -> t.dir(fh));
    assertEquals(2, t.openCount());
    t.release(fh);
    assertEbadf(() -> t.file(fh));
    assertEbadf(() -> t.release(fh));
    t.releaseDir(dh);
    assertEbadf(() -> t.dir(dh));
    assertEquals(0, t.openCount());
  }

  @Test
  @DisplayName("closeAll closes every descriptor (fstat then says EBADF), forgets directories and leaves the table empty")
  void closeAll_openFilesAndDirs_closedAndEmpty() throws IOException {
    OpenFileTable t = new OpenFileTable();
    OpenFile a = openReal("a");
    OpenFile b = openReal("b");
    t.addFile(a);
    t.addFile(b);
    t.addDir(new DirHandle(UnionPath.ROOT));
    assertEquals(3, t.openCount());

    assertEquals(List.of(), t.closeAll());

    assertEquals(0, t.openCount());
    for (OpenFile f : List.of(a, b)) {
      UnionException e = assertThrows(UnionException.class, () -> NativeFile.fstat(f.fd()));
      assertEquals(Errno.EBADF, e.errno(), "fd " + f.fd() + " closed");
    }
  }

  @Test
  @DisplayName("closeAll reports a descriptor it could not close and still empties the table")
  void closeAll_descriptorAlreadyClosed_failureReportedTableEmpty() throws IOException {
    OpenFileTable t = new OpenFileTable();
    OpenFile a = openReal("a");
    t.addFile(a);
    NativeFile.close(a.fd()); // closed behind the table's back

    List<Exception> failures = t.closeAll();

    assertEquals(1, failures.size());
    assertEquals(Errno.EBADF, ((UnionException) failures.get(0)).errno());
    assertEquals(0, t.openCount());
  }
}
