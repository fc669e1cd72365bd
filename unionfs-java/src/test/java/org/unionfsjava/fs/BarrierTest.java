package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/** The one catch-all between the union and libfuse: results pass, failures become -errno. */
@DisplayName("Barrier: exceptions become negative Linux errnos, nothing escapes")
class BarrierTest {

  @Test
  @DisplayName("a non-negative result passes through unchanged")
  void call_success_resultPassesThrough() {
    assertEquals(0, Barrier.call("op", "/p", () -> 0));
    assertEquals(4096, Barrier.call("read", "/p", () -> 4096));
  }

  @Test
  @DisplayName("an IOException meaning ENOENT answers -2: UnionException(ENOENT) and NIO's NoSuchFileException")
  void call_enoentIoException_minus2() {
    assertEquals(-2, Barrier.call("getattr", "/p", () -> {
      throw new UnionException(Errno.ENOENT, "/p", "no such file");
    }));
    assertEquals(-2, Barrier.call("getattr", "/p", () -> {
      throw new NoSuchFileException("/p");
    }));
  }

  @Test
  @DisplayName("a RuntimeException (a bug) answers -5 (EIO) instead of escaping into libfuse")
  void call_runtimeException_minus5() {
    assertEquals(-5, Barrier.call("getattr", "/p", () -> {
      throw new IllegalStateException("bug");
    }));
    assertEquals(-5, Barrier.call("getattr", "/p", () -> {
      throw new NullPointerException();
    }));
  }

  @Test
  @DisplayName("an Error answers -5 as well: nothing may escape a callback")
  void call_error_minus5() {
    assertEquals(-5, Barrier.call("getattr", "/p", () -> {
      throw new AssertionError("bug");
    }));
  }

  @Test
  @DisplayName("UnionException(ENOTEMPTY) answers -39; an unmapped IOException answers -5")
  void call_enotempty_minus39() {
    assertEquals(-39, Barrier.call("rmdir", "/d", () -> {
      throw new UnionException(Errno.ENOTEMPTY, "/d", "directory not empty");
    }));
    assertEquals(-5, Barrier.call("read", "/f", () -> {
      throw new IOException("something odd");
    }));
  }
}
