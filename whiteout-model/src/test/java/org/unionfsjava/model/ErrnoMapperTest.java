package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("ErrnoMapper")
class ErrnoMapperTest {

  @Test
  @DisplayName("NIO's typed exceptions map by type")
  void of_typedExceptions() {
    assertEquals(Errno.ENOENT, ErrnoMapper.of(new NoSuchFileException("/a")));
    assertEquals(Errno.EEXIST, ErrnoMapper.of(new FileAlreadyExistsException("/a")));
    assertEquals(Errno.ENOTEMPTY, ErrnoMapper.of(new DirectoryNotEmptyException("/a")));
    assertEquals(Errno.ENOTDIR, ErrnoMapper.of(new NotDirectoryException("/a")));
    assertEquals(Errno.EACCES, ErrnoMapper.of(new AccessDeniedException("/a")));
    assertEquals(Errno.EINVAL, ErrnoMapper.of(new NotLinkException("/a")));
    assertEquals(Errno.EXDEV, ErrnoMapper.of(new AtomicMoveNotSupportedException("/a", "/b", "no")));
    assertEquals(Errno.ELOOP, ErrnoMapper.of(new FileSystemLoopException("/a")));
  }

  @Test
  @DisplayName("A typed exception wins over a misleading reason text")
  void of_typeBeatsReason() {
    assertEquals(Errno.ENOENT, ErrnoMapper.of(new NoSuchFileException("/a", null, "Permission denied")));
  }

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource({
      "No space left on device, ENOSPC",
      "Read-only file system, EROFS",
      "Invalid cross-device link, EXDEV",
      "File name too long, ENAMETOOLONG",
      "Is a directory, EISDIR",
      "Not a directory, ENOTDIR",
      "Directory not empty, ENOTEMPTY",
      "No such file or directory, ENOENT",
      "File exists, EEXIST",
      "Permission denied, EACCES",
      "Operation not permitted, EPERM",
      "Too many levels of symbolic links, ELOOP",
      "Disk quota exceeded, EDQUOT",
      "Operation not supported, ENOTSUP",
      "Stale file handle, ESTALE",
      "Invalid argument, EINVAL",
      "Transport endpoint is not connected, EIO",
  })
  @DisplayName("A FileSystemException's strerror reason maps to its errno")
  void of_reasonTexts(String reason, Errno expected) {
    assertEquals(expected, ErrnoMapper.of(new FileSystemException("/a", null, reason)));
    assertEquals(expected, ErrnoMapper.ofReason(reason.toUpperCase(java.util.Locale.ROOT)), "case-insensitive");
  }

  @Test
  @DisplayName("Jimfs's plain IOException(\"out of disk space\") is ENOSPC")
  void of_jimfsOutOfDiskSpace_enospc() {
    assertEquals(Errno.ENOSPC, ErrnoMapper.of(new IOException("out of disk space")));
  }

  @Test
  @DisplayName("A real Jimfs disk-full write is ENOSPC through the mapper")
  void of_realJimfsDiskFull_enospc() throws IOException {
    try (FileSystem fs = TestFileSystems.newUnix(8192)) {
      Path p = fs.getPath("/big");
      IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
          () -> Files.write(p, new byte[64 * 1024]));
      assertEquals(Errno.ENOSPC, ErrnoMapper.of(e));
    }
  }

  @Test
  @DisplayName("Anything unknown, or without a message, is EIO")
  void of_unknown_eio() {
    assertEquals(Errno.EIO, ErrnoMapper.of(new IOException()));
    assertEquals(Errno.EIO, ErrnoMapper.of(new IOException("something odd")));
    assertEquals(Errno.EIO, ErrnoMapper.of(new FileSystemException("/a")));
  }

  @Test
  @DisplayName("A UnionException keeps its errno and passes through toUnion unchanged")
  void toUnion_unionException_unchanged() {
    UnionException u = new UnionException(Errno.EROFS, "/x", "read-only");
    assertEquals(Errno.EROFS, ErrnoMapper.of(u));
    assertSame(u, ErrnoMapper.toUnion(u, "/other"));
  }

  @Test
  @DisplayName("toUnion wraps others with the mapped errno, the given path and the cause")
  void toUnion_wraps() {
    NoSuchFileException cause = new NoSuchFileException("/branch/a");
    UnionException u = ErrnoMapper.toUnion(cause, "/a");
    assertEquals(Errno.ENOENT, u.errno());
    assertEquals("/a", u.path());
    assertSame(cause, u.getCause());
    assertEquals(true, u.getMessage().startsWith("ENOENT /a: "), u.getMessage());
  }
}
