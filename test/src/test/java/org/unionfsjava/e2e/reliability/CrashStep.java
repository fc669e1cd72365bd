package org.unionfsjava.e2e.reliability;

import java.nio.file.Path;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;

/**
 * One system call of a crash workload and what it does to the expected tree when it succeeds.
 * A step killed in flight may have happened or not (one of two trees), a write may have happened
 * in part ({@link #partial}), and a few steps have a documented third outcome ({@link
 * #documentedCrashState}).
 */
abstract class CrashStep {
  /** Where the steps run: the mount point and the descriptors of files the workload holds open. */
  static final class Ctx {
    final Path mnt;
    final int[] fds = new int[4];

    Ctx(Path mnt) {
      this.mnt = mnt;
      java.util.Arrays.fill(fds, -1);
    }

    Path at(String rel) {
      return mnt.resolve(rel);
    }

    /** Closes whatever is still open (after a kill these closes fail; that is fine). */
    void closeAll() {
      for (int i = 0; i < fds.length; i++) {
        if (fds[i] >= 0) {
          Syscalls.close(fds[i]);
          fds[i] = -1;
        }
      }
    }
  }

  /** A short name for the kill-point histogram: what was in flight. */
  abstract String kind();

  abstract Call run(Ctx ctx);

  /** The effect on the expected tree when the call succeeded. */
  abstract void apply(ExpectedTree t);

  /** The path whose content must be compared in full after this step (or null). */
  String contentPath() {
    return null;
  }

  /** For a write: the partial outcome a kill in flight may leave. */
  MountedTree.PartialWrite partial() {
    return null;
  }

  /**
   * A third tree a kill in flight may leave because the union documents it (package-info,
   * "Atomicity and crashes"), or null. See {@link CrashSafetyTest#DOCUMENTED_CRASH_STATES}.
   */
  ExpectedTree documentedCrashState(ExpectedTree before) {
    return null;
  }

  /** Opens a file for writing (a lower file is copied up here) or creates a new one. */
  static final class Open extends CrashStep {
    final String rel;
    final int slot;
    final boolean create;
    final int mode;
    final boolean big;

    Open(String rel, int slot, boolean create, int mode, boolean big) {
      this.rel = rel;
      this.slot = slot;
      this.create = create;
      this.mode = mode;
      this.big = big;
    }

    @Override
    String kind() {
      return create ? "create" : big ? "open-write(copy-up 64MiB)" : "open-write";
    }

    @Override
    Call run(Ctx ctx) {
      int flags = Syscalls.O_WRONLY | (create ? Syscalls.O_CREAT | Syscalls.O_EXCL : 0);
      Call c = Syscalls.open(ctx.at(rel), flags, mode);
      if (c.ok()) {
        ctx.fds[slot] = (int) c.ret();
      }
      return c;
    }

    @Override
    void apply(ExpectedTree t) {
      if (create) {
        t.put(rel, ExpectedTree.Node.file(mode, new byte[0], null, false));
      } else {
        t.put(rel, t.get(rel).touched());
      }
    }

    @Override
    String contentPath() {
      return rel;
    }

    @Override
    public String toString() {
      return (create ? "create " : "open-write ") + rel + " [fd slot " + slot + "]";
    }
  }

  /** pwrite(2) of bytes at an offset of a file the workload holds open. */
  static final class Write extends CrashStep {
    final String rel;
    final int slot;
    final long off;
    final byte[] data;

    Write(String rel, int slot, long off, byte[] data) {
      this.rel = rel;
      this.slot = slot;
      this.off = off;
      this.data = data;
    }

    @Override
    String kind() {
      return "pwrite";
    }

    @Override
    Call run(Ctx ctx) {
      Call c = PosixExtras.pwrite(ctx.fds[slot], data, off);
      if (c.ok() && c.ret() != data.length) {
        return new Call(c.what() + " (short write " + c.ret() + ")", -1, "SHORT_WRITE");
      }
      return c;
    }

    @Override
    void apply(ExpectedTree t) {
      ExpectedTree.Node n = t.get(rel);
      t.put(rel, n.withData(ExpectedTree.patched(n.data(), off, data, data.length)));
    }

    @Override
    String contentPath() {
      return rel;
    }

    @Override
    MountedTree.PartialWrite partial() {
      return new MountedTree.PartialWrite(rel, off, data);
    }

    @Override
    public String toString() {
      return "pwrite " + rel + " " + data.length + "@" + off;
    }
  }

  /** fsync(2): what was written before it must survive the kill. */
  static final class Fsync extends CrashStep {
    final String rel;
    final int slot;

    Fsync(String rel, int slot) {
      this.rel = rel;
      this.slot = slot;
    }

    @Override
    String kind() {
      return "fsync";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.fsync(ctx.fds[slot]);
    }

    @Override
    void apply(ExpectedTree t) {
      // no change of content: it was all written already
    }

    @Override
    public String toString() {
      return "fsync " + rel;
    }
  }

  /** close(2) of a file the workload holds open. */
  static final class Close extends CrashStep {
    final String rel;
    final int slot;

    Close(String rel, int slot) {
      this.rel = rel;
      this.slot = slot;
    }

    @Override
    String kind() {
      return "close";
    }

    @Override
    Call run(Ctx ctx) {
      int fd = ctx.fds[slot];
      ctx.fds[slot] = -1;
      return Syscalls.close(fd);
    }

    @Override
    void apply(ExpectedTree t) {
      // nothing visible changes
    }

    @Override
    public String toString() {
      return "close " + rel;
    }
  }

  /** rename(2) of a file, symlink or directory (over an existing target or not). */
  static final class Rename extends CrashStep {
    final String from;
    final String to;
    final boolean overEmptyUpperDir;

    Rename(String from, String to, boolean overEmptyUpperDir) {
      this.from = from;
      this.to = to;
      this.overEmptyUpperDir = overEmptyUpperDir;
    }

    @Override
    String kind() {
      return overEmptyUpperDir ? "rename-dir-over-dir" : "rename";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.rename(ctx.at(from), ctx.at(to));
    }

    @Override
    void apply(ExpectedTree t) {
      t.moveTree(from, to);
    }

    @Override
    String contentPath() {
      return to;
    }

    @Override
    ExpectedTree documentedCrashState(ExpectedTree before) {
      if (!overEmptyUpperDir) {
        return null;
      }
      // "rename over an upper directory: exchange, then whiteout or removal of the old target at
      // the source name; a crash in between shows the old, empty-looking target under the source name"
      ExpectedTree t = before.copy();
      ExpectedTree.Node oldTarget = before.get(to);
      t.moveTree(from, to);
      t.put(from, oldTarget);
      return t;
    }

    @Override
    public String toString() {
      return "rename " + from + " -> " + to + (overEmptyUpperDir ? " (over an empty upper dir)" : "");
    }
  }

  /** unlink(2): a lower name gets a whiteout, an upper one goes. */
  static final class Unlink extends CrashStep {
    final String rel;

    Unlink(String rel) {
      this.rel = rel;
    }

    @Override
    String kind() {
      return "unlink";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.unlink(ctx.at(rel));
    }

    @Override
    void apply(ExpectedTree t) {
      t.removeTree(rel);
    }

    @Override
    public String toString() {
      return "unlink " + rel;
    }
  }

  /** rmdir(2) of a directory that is empty in the union. */
  static final class Rmdir extends CrashStep {
    final String rel;

    Rmdir(String rel) {
      this.rel = rel;
    }

    @Override
    String kind() {
      return "rmdir";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.rmdir(ctx.at(rel));
    }

    @Override
    void apply(ExpectedTree t) {
      t.removeTree(rel);
    }

    @Override
    public String toString() {
      return "rmdir " + rel;
    }
  }

  /** mkdir(2), also over a whited-out lower directory (which makes it opaque). */
  static final class Mkdir extends CrashStep {
    final String rel;
    final int mode;
    final boolean overWhiteout;

    Mkdir(String rel, int mode, boolean overWhiteout) {
      this.rel = rel;
      this.mode = mode;
      this.overWhiteout = overWhiteout;
    }

    @Override
    String kind() {
      return overWhiteout ? "mkdir-over-whiteout" : "mkdir";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.mkdir(ctx.at(rel), mode);
    }

    @Override
    void apply(ExpectedTree t) {
      t.put(rel, ExpectedTree.Node.dir(mode, false));
    }

    @Override
    public String toString() {
      return "mkdir " + rel + (overWhiteout ? " (over a whiteout)" : "");
    }
  }

  /** chmod(2): copies a lower object up, keeping its data and mtime. */
  static final class Chmod extends CrashStep {
    final String rel;
    final int mode;

    Chmod(String rel, int mode) {
      this.rel = rel;
      this.mode = mode;
    }

    @Override
    String kind() {
      return "chmod";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.chmod(ctx.at(rel), mode);
    }

    @Override
    void apply(ExpectedTree t) {
      t.put(rel, t.get(rel).withMode(mode));
    }

    @Override
    String contentPath() {
      return rel;
    }

    @Override
    public String toString() {
      return "chmod 0" + Integer.toOctalString(mode) + " " + rel;
    }
  }

  /** utimensat(2) with nanoseconds: copies up, sets the times. */
  static final class Utimens extends CrashStep {
    final String rel;
    final long ns;

    Utimens(String rel, long ns) {
      this.rel = rel;
      this.ns = ns;
    }

    @Override
    String kind() {
      return "utimens";
    }

    @Override
    Call run(Ctx ctx) {
      return PosixExtras.utimens(ctx.at(rel), ns, ns, true);
    }

    @Override
    void apply(ExpectedTree t) {
      t.put(rel, t.get(rel).withMtime(ns));
    }

    @Override
    String contentPath() {
      return rel;
    }

    @Override
    public String toString() {
      return "utimens " + rel + " " + ns;
    }
  }

  /** symlink(2). */
  static final class Symlink extends CrashStep {
    final String target;
    final String rel;

    Symlink(String target, String rel) {
      this.target = target;
      this.rel = rel;
    }

    @Override
    String kind() {
      return "symlink";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.symlink(target, ctx.at(rel));
    }

    @Override
    void apply(ExpectedTree t) {
      t.put(rel, ExpectedTree.Node.link(target, false));
    }

    @Override
    public String toString() {
      return "symlink " + rel + " -> " + target;
    }
  }

  /** truncate(2) by path: a lower file is copied up (with data unless the length is 0). */
  static final class Truncate extends CrashStep {
    final String rel;
    final long len;

    Truncate(String rel, long len) {
      this.rel = rel;
      this.len = len;
    }

    @Override
    String kind() {
      return "truncate";
    }

    @Override
    Call run(Ctx ctx) {
      return Syscalls.truncate(ctx.at(rel), len);
    }

    @Override
    void apply(ExpectedTree t) {
      ExpectedTree.Node n = t.get(rel);
      t.put(rel, n.withData(java.util.Arrays.copyOf(n.data(), (int) len)));
    }

    @Override
    String contentPath() {
      return rel;
    }

    @Override
    public String toString() {
      return "truncate " + rel + " " + len;
    }
  }
}
