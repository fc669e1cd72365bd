package org.unionfsjava.transport;

import java.nio.ByteBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Decodes one request in a worker's buffer and calls the handler: argument structs read in place,
 * names and data handed over as views over the same buffer (set per request, never allocated).
 * Anything the handler throws or leaves unanswered is answered EIO and logged; opcodes without a
 * handler method are answered ENOSYS.
 */
final class Dispatcher {
  private static final Logger LOG = LogManager.getLogger();
  private static final int A = Layout.InHeader.SIZE;

  private final Session session;
  private final RequestHandler handler;
  private final Request r;
  private final ByteBuffer in;
  private final ByteBuffer firstName;
  private final ByteBuffer secondName;
  private final ByteBuffer payload;
  private final AttributeChange change = new AttributeChange();
  private int cursor;

  Dispatcher(Session session, RequestHandler handler, Request request) {
    this.session = session;
    this.handler = handler;
    this.r = request;
    this.in = request.in.buffer;
    this.firstName = view(in);
    this.secondName = view(in);
    this.payload = view(in);
  }

  private static ByteBuffer view(ByteBuffer b) {
    return b.duplicate().order(b.order());
  }

  /** Handles the {@code length} bytes just read; false once DESTROY was served. */
  boolean dispatch(int length) {
    r.load(length);
    int op = r.opcode();
    try {
      if (r.length() < A || in.getInt(Layout.InHeader.LEN) != length) {
        LOG.error("request of {} bytes says it has {}: answered EIO", length, in.getInt(Layout.InHeader.LEN));
        r.replyError(Errno.EIO);
        return true;
      }
      return call(op);
    } catch (Throwable t) {
      LOG.error("{} #{} on node {} failed: answered EIO", r.opcodeName(), r.unique(), r.nodeId(), t);
      if (!r.answered()) {
        r.replyError(Errno.EIO);
      }
      return true;
    } finally {
      r.finished();
      if (!r.answered()) {
        LOG.error("{} #{} on node {} was not answered: answered EIO", r.opcodeName(), r.unique(), r.nodeId());
        r.replyError(Errno.EIO);
      }
    }
  }

  /** Fails unless the arguments hold {@code size} bytes after the cursor; moves it past them. */
  private boolean fixed(int size) {
    if (cursor + size > r.argumentsEnd()) {
      LOG.warn("{} #{}: {} argument bytes, {} needed", r.opcodeName(), r.unique(), r.argumentsEnd() - A, cursor - A + size);
      r.replyError(Errno.EINVAL);
      return false;
    }
    cursor += size;
    return true;
  }

  /** Sets {@code view} to the NUL-terminated name at the cursor; moves the cursor past its NUL. */
  private boolean name(ByteBuffer view) {
    int end = r.argumentsEnd();
    for (int i = cursor; i < end; i++) {
      if (in.get(i) == 0) {
        view.limit(i).position(cursor);
        cursor = i + 1;
        return true;
      }
    }
    LOG.warn("{} #{}: a name without its NUL", r.opcodeName(), r.unique());
    r.replyError(Errno.EINVAL);
    return false;
  }

  private ByteBuffer bytes(ByteBuffer view, int size) {
    int end = Math.min(cursor + size, r.argumentsEnd());
    view.limit(end).position(cursor);
    cursor = end;
    return view;
  }

  private boolean call(int op) {
    cursor = A;
    long node = r.nodeId();
    Opcode o = Opcode.of(op);
    if (o == null) {
      r.replyError(Errno.ENOSYS);
      return true;
    }
    switch (o) {
      case INIT:
        session.init(r);
        break;
      case DESTROY:
        session.destroy();
        r.replyOk();
        return false;
      case INTERRUPT:
        if (fixed(Layout.InterruptIn.SIZE)) {
          session.interrupt(r, in.getLong(A + Layout.InterruptIn.UNIQUE));
        }
        break;
      case FORGET:
        r.replyNone();
        if (cursor + Layout.ForgetIn.SIZE <= r.argumentsEnd()) {
          session.forgot(1);
          handler.forget(node, in.getLong(A + Layout.ForgetIn.NLOOKUP));
        }
        break;
      case BATCH_FORGET:
        r.replyNone();
        batchForget();
        break;
      case LOOKUP:
        if (name(firstName)) {
          handler.lookup(r, node, firstName);
        }
        break;
      case GETATTR:
        if (r.argumentsEnd() - A >= Layout.GetattrIn.SIZE) {
          handler.getattr(r, node, in.getInt(A + Layout.GetattrIn.GETATTR_FLAGS), in.getLong(A + Layout.GetattrIn.FH));
        } else {
          handler.getattr(r, node, 0, 0);
        }
        break;
      case SETATTR:
        if (fixed(Layout.SetattrIn.SIZE)) {
          change.bind(in, A);
          handler.setattr(r, node, change);
        }
        break;
      case READLINK:
        handler.readlink(r, node);
        break;
      case SYMLINK:
        if (name(firstName) && name(secondName)) {
          handler.symlink(r, node, firstName, secondName);
        }
        break;
      case MKNOD:
        if (fixed(Layout.MknodIn.SIZE) && name(firstName)) {
          handler.mknod(r, node, firstName, in.getInt(A + Layout.MknodIn.MODE), in.getInt(A + Layout.MknodIn.RDEV),
              in.getInt(A + Layout.MknodIn.UMASK));
        }
        break;
      case MKDIR:
        if (fixed(Layout.MkdirIn.SIZE) && name(firstName)) {
          handler.mkdir(r, node, firstName, in.getInt(A + Layout.MkdirIn.MODE), in.getInt(A + Layout.MkdirIn.UMASK));
        }
        break;
      case UNLINK:
        if (name(firstName)) {
          handler.unlink(r, node, firstName);
        }
        break;
      case RMDIR:
        if (name(firstName)) {
          handler.rmdir(r, node, firstName);
        }
        break;
      case RENAME:
        if (fixed(Layout.RenameIn.SIZE) && name(firstName) && name(secondName)) {
          handler.rename(r, node, firstName, in.getLong(A + Layout.RenameIn.NEWDIR), secondName, 0);
        }
        break;
      case RENAME2:
        if (fixed(Layout.Rename2In.SIZE) && name(firstName) && name(secondName)) {
          handler.rename(r, node, firstName, in.getLong(A + Layout.Rename2In.NEWDIR), secondName,
              in.getInt(A + Layout.Rename2In.FLAGS));
        }
        break;
      case LINK:
        if (fixed(Layout.LinkIn.SIZE) && name(firstName)) {
          handler.link(r, in.getLong(A + Layout.LinkIn.OLDNODEID), node, firstName);
        }
        break;
      case OPEN:
        if (fixed(Layout.OpenIn.SIZE)) {
          handler.open(r, node, in.getInt(A + Layout.OpenIn.FLAGS));
        }
        break;
      case OPENDIR:
        if (fixed(Layout.OpenIn.SIZE)) {
          handler.opendir(r, node, in.getInt(A + Layout.OpenIn.FLAGS));
        }
        break;
      case READ:
        if (fixed(Layout.ReadIn.SIZE)) {
          handler.read(r, node, in.getLong(A + Layout.ReadIn.FH), in.getLong(A + Layout.ReadIn.OFFSET),
              in.getInt(A + Layout.ReadIn.SIZE_), in.getInt(A + Layout.ReadIn.FLAGS));
        }
        break;
      case READDIR:
      case READDIRPLUS:
        if (fixed(Layout.ReadIn.SIZE)) {
          handler.readdir(r, node, in.getLong(A + Layout.ReadIn.FH), in.getLong(A + Layout.ReadIn.OFFSET),
              in.getInt(A + Layout.ReadIn.SIZE_), o == Opcode.READDIRPLUS);
        }
        break;
      case WRITE:
        if (fixed(Layout.WriteIn.SIZE)) {
          int size = in.getInt(A + Layout.WriteIn.SIZE_);
          if (cursor + size > r.argumentsEnd()) {
            r.replyError(Errno.EINVAL);
            break;
          }
          handler.write(r, node, in.getLong(A + Layout.WriteIn.FH), in.getLong(A + Layout.WriteIn.OFFSET),
              bytes(payload, size), in.getInt(A + Layout.WriteIn.WRITE_FLAGS), in.getInt(A + Layout.WriteIn.FLAGS));
        }
        break;
      case STATFS:
        handler.statfs(r, node);
        break;
      case RELEASE:
        if (fixed(Layout.ReleaseIn.SIZE)) {
          handler.release(r, node, in.getLong(A + Layout.ReleaseIn.FH), in.getInt(A + Layout.ReleaseIn.FLAGS),
              in.getInt(A + Layout.ReleaseIn.RELEASE_FLAGS));
        }
        break;
      case RELEASEDIR:
        if (fixed(Layout.ReleaseIn.SIZE)) {
          handler.releasedir(r, node, in.getLong(A + Layout.ReleaseIn.FH), in.getInt(A + Layout.ReleaseIn.FLAGS));
        }
        break;
      case FSYNC:
      case FSYNCDIR:
        if (fixed(Layout.FsyncIn.SIZE)) {
          long fh = in.getLong(A + Layout.FsyncIn.FH);
          boolean dataOnly = (in.getInt(A + Layout.FsyncIn.FSYNC_FLAGS) & Protocol.FSYNC_FDATASYNC) != 0;
          if (o == Opcode.FSYNC) {
            handler.fsync(r, node, fh, dataOnly);
          } else {
            handler.fsyncdir(r, node, fh, dataOnly);
          }
        }
        break;
      case SETXATTR:
        setxattr(node);
        break;
      case GETXATTR:
        if (fixed(Layout.GetxattrIn.SIZE) && name(firstName)) {
          handler.getxattr(r, node, firstName, in.getInt(A + Layout.GetxattrIn.SIZE_));
        }
        break;
      case LISTXATTR:
        if (fixed(Layout.GetxattrIn.SIZE)) {
          handler.listxattr(r, node, in.getInt(A + Layout.GetxattrIn.SIZE_));
        }
        break;
      case REMOVEXATTR:
        if (name(firstName)) {
          handler.removexattr(r, node, firstName);
        }
        break;
      case FLUSH:
        if (fixed(Layout.FlushIn.SIZE)) {
          handler.flush(r, node, in.getLong(A + Layout.FlushIn.FH), in.getLong(A + Layout.FlushIn.LOCK_OWNER));
        }
        break;
      case ACCESS:
        if (fixed(Layout.AccessIn.SIZE)) {
          handler.access(r, node, in.getInt(A + Layout.AccessIn.MASK));
        }
        break;
      case CREATE:
        if (fixed(Layout.CreateIn.SIZE) && name(firstName)) {
          handler.create(r, node, firstName, in.getInt(A + Layout.CreateIn.FLAGS), in.getInt(A + Layout.CreateIn.MODE),
              in.getInt(A + Layout.CreateIn.UMASK));
        }
        break;
      case FALLOCATE:
        if (fixed(Layout.FallocateIn.SIZE)) {
          handler.fallocate(r, node, in.getLong(A + Layout.FallocateIn.FH), in.getLong(A + Layout.FallocateIn.OFFSET),
              in.getLong(A + Layout.FallocateIn.LENGTH), in.getInt(A + Layout.FallocateIn.MODE));
        }
        break;
      case LSEEK:
        if (fixed(Layout.LseekIn.SIZE)) {
          handler.lseek(r, node, in.getLong(A + Layout.LseekIn.FH), in.getLong(A + Layout.LseekIn.OFFSET),
              in.getInt(A + Layout.LseekIn.WHENCE));
        }
        break;
      case COPY_FILE_RANGE:
        if (fixed(Layout.CopyFileRangeIn.SIZE)) {
          handler.copyFileRange(r, node, in.getLong(A + Layout.CopyFileRangeIn.FH_IN),
              in.getLong(A + Layout.CopyFileRangeIn.OFF_IN), in.getLong(A + Layout.CopyFileRangeIn.NODEID_OUT),
              in.getLong(A + Layout.CopyFileRangeIn.FH_OUT), in.getLong(A + Layout.CopyFileRangeIn.OFF_OUT),
              in.getLong(A + Layout.CopyFileRangeIn.LEN), in.getLong(A + Layout.CopyFileRangeIn.FLAGS));
        }
        break;
      case NOTIFY_REPLY:
        r.replyNone(); // a STORE/RETRIEVE answer: never asked for
        break;
      default:
        // GETLK, SETLK(W), BMAP, IOCTL, POLL, SETUPMAPPING, REMOVEMAPPING, SYNCFS, TMPFILE, STATX
        // (the kernel then falls back to GETATTR), COPY_FILE_RANGE_64 (then COPY_FILE_RANGE)
        r.replyError(Errno.ENOSYS);
    }
    return true;
  }

  private void setxattr(long node) {
    int size = session.setxattrInSize();
    if (fixed(size) && name(firstName)) {
      int valueSize = in.getInt(A + Layout.SetxattrIn.SIZE_);
      if (cursor + valueSize > r.argumentsEnd()) {
        r.replyError(Errno.EINVAL);
        return;
      }
      handler.setxattr(r, node, firstName, bytes(payload, valueSize), in.getInt(A + Layout.SetxattrIn.FLAGS));
    }
  }

  private void batchForget() {
    if (cursor + Layout.BatchForgetIn.SIZE > r.argumentsEnd()) {
      return;
    }
    int count = in.getInt(A + Layout.BatchForgetIn.COUNT);
    int at = A + Layout.BatchForgetIn.SIZE;
    int fit = (r.argumentsEnd() - at) / Layout.ForgetOne.SIZE;
    int n = Math.min(count, fit);
    session.forgot(n);
    for (int i = 0; i < n; i++, at += Layout.ForgetOne.SIZE) {
      try {
        handler.forget(in.getLong(at + Layout.ForgetOne.NODEID), in.getLong(at + Layout.ForgetOne.NLOOKUP));
      } catch (RuntimeException e) {
        LOG.error("forget of node {} failed", in.getLong(at + Layout.ForgetOne.NODEID), e);
      }
    }
  }
}
