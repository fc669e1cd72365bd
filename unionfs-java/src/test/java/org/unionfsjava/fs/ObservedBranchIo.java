package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Stat;

/**
 * A {@link BranchIo} that passes every call to a real one, counts the calls by method name, and
 * can run a one-shot action just before an lstat of a given path (to put a "concurrent" change
 * between a lookup's reading of the branches and its caching of the answer).
 */
final class ObservedBranchIo implements BranchIo {
  /** An action that may fail like branch I/O. */
  @FunctionalInterface
  interface Action {
    void run() throws IOException;
  }

  private final BranchIo real;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<Path, Action> beforeLstat = new ConcurrentHashMap<>();

  ObservedBranchIo(BranchIo real) {
    this.real = real;
  }

  /** How often the method with this name was called since the last {@link #resetCounts()}. */
  int count(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  void resetCounts() {
    calls.clear();
  }

  /** Runs {@code action} once, right before the next lstat of {@code path}. */
  void onceBeforeLstat(Path path, Action action) {
    beforeLstat.put(path, action);
  }

  private void count0(String method) {
    calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public Stat lstat(Path path) throws IOException {
    count0("lstat");
    Action a = beforeLstat.remove(path);
    if (a != null) {
      a.run();
    }
    return real.lstat(path);
  }

  @Override
  public List<DirEntry> list(Path dir) throws IOException {
    count0("list");
    return real.list(dir);
  }

  @Override
  public byte[] getXattr(Path path, String name) throws IOException {
    count0("getXattr");
    return real.getXattr(path, name);
  }

  @Override
  public List<String> listXattrs(Path path) throws IOException {
    count0("listXattrs");
    return real.listXattrs(path);
  }

  @Override
  public void setXattr(Path path, String name, byte[] value, int flags) throws IOException {
    count0("setXattr");
    real.setXattr(path, name, value, flags);
  }

  @Override
  public void removeXattr(Path path, String name) throws IOException {
    count0("removeXattr");
    real.removeXattr(path, name);
  }

  @Override
  public void mkdir(Path path, int mode) throws IOException {
    count0("mkdir");
    real.mkdir(path, mode);
  }

  @Override
  public void mknod(Path path, int mode, long rdev) throws IOException {
    count0("mknod");
    real.mknod(path, mode, rdev);
  }

  @Override
  public void symlink(String target, Path link) throws IOException {
    count0("symlink");
    real.symlink(target, link);
  }

  @Override
  public String readlink(Path path) throws IOException {
    count0("readlink");
    return real.readlink(path);
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    count0("link");
    real.link(existing, newLink);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    count0("rename");
    real.rename(from, to, mode);
  }

  @Override
  public void unlink(Path path) throws IOException {
    count0("unlink");
    real.unlink(path);
  }

  @Override
  public void rmdir(Path path) throws IOException {
    count0("rmdir");
    real.rmdir(path);
  }

  @Override
  public void chmod(Path path, int mode) throws IOException {
    count0("chmod");
    real.chmod(path, mode);
  }

  @Override
  public void lchown(Path path, int uid, int gid) throws IOException {
    count0("lchown");
    real.lchown(path, uid, gid);
  }

  @Override
  public void utimens(Path path, long atimeNs, long mtimeNs) throws IOException {
    count0("utimens");
    real.utimens(path, atimeNs, mtimeNs);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    count0("truncate");
    real.truncate(path, size);
  }

  @Override
  public void createFile(Path path, int mode) throws IOException {
    count0("createFile");
    real.createFile(path, mode);
  }

  @Override
  public byte[] readSmallFile(Path path, int max) throws IOException {
    count0("readSmallFile");
    return real.readSmallFile(path, max);
  }

  @Override
  public void writeNewFile(Path path, byte[] data, int mode) throws IOException {
    count0("writeNewFile");
    real.writeNewFile(path, data, mode);
  }

  @Override
  public void copyFileData(Path from, Path to, boolean sync) throws IOException {
    count0("copyFileData");
    real.copyFileData(from, to, sync);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    count0("syncDirectory");
    real.syncDirectory(dir);
  }
}
