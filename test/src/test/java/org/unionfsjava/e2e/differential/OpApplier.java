package org.unionfsjava.e2e.differential;

import java.nio.file.Path;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;

/**
 * Applies an {@link Op} to one side (the union's mount point or the model directory) with the
 * same system calls, and answers what happened as text that must be equal on both sides:
 * {@code "OK"}, the errno name ({@code "ENOENT"}) of the failing call, or for open-write-close
 * sequences the failing step ({@code "write:EIO"}).
 */
final class OpApplier {
  private OpApplier() {}

  static String apply(Path root, Op op) {
    Path p = root.resolve(op.path());
    return switch (op.kind()) {
      case WRITE -> openWrite(p, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC, op, -1);
      case CREATE_EXCL -> openWrite(p, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, op, -1);
      case APPEND -> openWrite(p, Syscalls.O_WRONLY | Syscalls.O_APPEND, op, -1);
      case PWRITE -> openWrite(p, Syscalls.O_WRONLY, op, op.offset());
      case TRUNCATE -> Syscalls.truncate(p, op.length()).outcome();
      case UNLINK -> Syscalls.unlink(p).outcome();
      case MKDIR -> Syscalls.mkdir(p, op.mode()).outcome();
      case RMDIR -> Syscalls.rmdir(p).outcome();
      case RENAME -> Syscalls.rename(p, root.resolve(op.path2())).outcome();
      case SYMLINK -> Syscalls.symlink(op.path2(), p).outcome();
      case LINK -> Syscalls.link(p, root.resolve(op.path2())).outcome();
      case CHMOD -> Syscalls.chmod(p, op.mode()).outcome();
      case UTIMES -> PosixExtras.utimens(p, op.atimeNs(), op.mtimeNs(), op.noFollow()).outcome();
    };
  }

  /** open, then write (or pwrite at {@code offset} if it is not negative), then close. */
  private static String openWrite(Path p, int flags, Op op, long offset) {
    Call open = Syscalls.open(p, flags, op.mode());
    if (!open.ok()) {
      return open.outcome();
    }
    int fd = (int) open.ret();
    String outcome = "OK";
    byte[] data = op.data();
    if (data.length > 0) {
      Call w = offset < 0 ? Syscalls.write(fd, data) : PosixExtras.pwrite(fd, data, offset);
      if (!w.ok()) {
        outcome = "write:" + w.outcome();
      } else if (w.ret() != data.length) {
        outcome = "write:short " + w.ret() + "/" + data.length;
      }
    }
    Call c = Syscalls.close(fd);
    if (!c.ok() && outcome.equals("OK")) {
      outcome = "close:" + c.outcome();
    }
    return outcome;
  }
}
