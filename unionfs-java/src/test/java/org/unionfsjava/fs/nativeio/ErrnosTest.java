package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

class ErrnosTest {

  @Test
  void everyErrno_mapsToADistinctLinuxNumber_andBack() {
    Set<Integer> numbers = new HashSet<>();
    for (Errno errno : Errno.values()) {
      int number = Errnos.toLinux(errno);
      assertTrue(number > 0, errno + " has a positive number");
      assertTrue(numbers.add(number), errno + " has its own number");
      assertEquals(errno, Errnos.toUnion(number), "round trip of " + errno);
    }
  }

  @Test
  void linuxNumbers_areTheX86AndGenericOnes() {
    assertEquals(1, Errnos.toLinux(Errno.EPERM));
    assertEquals(2, Errnos.toLinux(Errno.ENOENT));
    assertEquals(4, Errnos.toLinux(Errno.EINTR));
    assertEquals(13, Errnos.toLinux(Errno.EACCES));
    assertEquals(17, Errnos.toLinux(Errno.EEXIST));
    assertEquals(18, Errnos.toLinux(Errno.EXDEV));
    assertEquals(26, Errnos.toLinux(Errno.ETXTBSY));
    assertEquals(39, Errnos.toLinux(Errno.ENOTEMPTY));
    assertEquals(61, Errnos.toLinux(Errno.ENODATA));
    assertEquals(75, Errnos.toLinux(Errno.EOVERFLOW));
    assertEquals(95, Errnos.toLinux(Errno.ENOTSUP), "ENOTSUP is Linux EOPNOTSUPP, not macOS 45");
    assertEquals(116, Errnos.toLinux(Errno.ESTALE));
    assertEquals(122, Errnos.toLinux(Errno.EDQUOT));
  }

  @Test
  void unknownNumbers_becomeEio() {
    assertEquals(Errno.EIO, Errnos.toUnion(0));
    assertEquals(Errno.EIO, Errnos.toUnion(-2));
    assertEquals(Errno.EIO, Errnos.toUnion(71)); // EPROTO
    assertEquals(Errno.EIO, Errnos.toUnion(100_000));
  }

  @Test
  void exception_carriesErrnoPathAndStrerror() {
    UnionException e = Errnos.exception(2, "lstat", "/x/y");
    assertEquals(Errno.ENOENT, e.errno());
    assertEquals("/x/y", e.path());
    assertEquals("ENOENT /x/y: lstat: No such file or directory", e.getMessage());
    UnionException unknown = Errnos.exception(71, "open", "/z");
    assertEquals(Errno.EIO, unknown.errno());
    assertTrue(unknown.getMessage().contains("errno 71"), unknown.getMessage());
  }
}
