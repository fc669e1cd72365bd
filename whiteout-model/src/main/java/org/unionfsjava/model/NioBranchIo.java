package org.unionfsjava.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.attribute.FileTime;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link BranchIo} on plain java.nio, for any {@link java.nio.file.FileSystem} (Jimfs in unit
 * tests). It cannot make device nodes and reaches only {@code user.*} xattrs, so it serves the
 * aufs format; owners are not changed; atomic exchange is emulated with a temporary name.
 */
public final class NioBranchIo implements BranchIo {
  private static final String USER = "user.";

  @Override
  public Stat lstat(Path path) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      if (ErrnoMapper.of(e) == Errno.ENOTDIR || ErrnoMapper.of(e) == Errno.ENOENT) {
        return null;
      }
      throw ErrnoMapper.toUnion(e, path.toString());
    }
    int type = a.isDirectory() ? FileKind.DIRECTORY.typeBits()
        : a.isSymbolicLink() ? FileKind.SYMLINK.typeBits()
        : a.isRegularFile() ? FileKind.REGULAR.typeBits() : FileKind.FIFO.typeBits();
    int perms = 0755;
    PosixFileAttributeView pv = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (pv != null && !a.isSymbolicLink()) {
      perms = toMode(pv.readAttributes().permissions());
    } else if (a.isSymbolicLink()) {
      perms = 0777;
    }
    Object key = a.fileKey();
    long ino = key == null ? 0 : key.hashCode() & 0xffffffffL;
    return new Stat(0, ino, type | perms, 1, 0, 0, 0, a.size(), 4096, (a.size() + 511) / 512,
        ns(a.lastAccessTime()), ns(a.lastModifiedTime()), ns(a.lastModifiedTime()));
  }

  private static long ns(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  static int toMode(Set<PosixFilePermission> ps) {
    int m = 0;
    for (PosixFilePermission p : ps) {
      m |= 1 << (8 - p.ordinal());
    }
    return m;
  }

  static Set<PosixFilePermission> toPermissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((mode & (1 << (8 - p.ordinal()))) != 0) {
        s.add(p);
      }
    }
    return s;
  }

  @Override
  public List<DirEntry> list(Path dir) throws IOException {
    List<DirEntry> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Stat st = lstat(p);
        out.add(new DirEntry(p.getFileName().toString(), st == null ? FileKind.UNKNOWN : st.kind(),
            st == null ? 0 : st.ino()));
      }
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, dir.toString());
    }
    return out;
  }

  private static UserDefinedFileAttributeView userView(Path p) {
    return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public byte[] getXattr(Path path, String name) throws IOException {
    UserDefinedFileAttributeView v = userView(path);
    if (v == null || !name.startsWith(USER)) {
      return null;
    }
    String n = name.substring(USER.length());
    try {
      if (!v.list().contains(n)) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(v.size(n));
      v.read(n, b);
      return b.array();
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public List<String> listXattrs(Path path) throws IOException {
    UserDefinedFileAttributeView v = userView(path);
    List<String> out = new ArrayList<>();
    if (v != null) {
      try {
        for (String n : v.list()) {
          out.add(USER + n);
        }
      } catch (IOException e) {
        throw ErrnoMapper.toUnion(e, path.toString());
      }
    }
    return out;
  }

  @Override
  public void setXattr(Path path, String name, byte[] value, int flags) throws IOException {
    UserDefinedFileAttributeView v = userView(path);
    if (v == null || !name.startsWith(USER)) {
      throw new UnionException(Errno.ENOTSUP, path.toString(), "xattr " + name + " not supported here");
    }
    String n = name.substring(USER.length());
    boolean exists = v.list().contains(n);
    if ((flags & XATTR_CREATE) != 0 && exists) {
      throw new UnionException(Errno.EEXIST, path.toString(), "xattr exists");
    }
    if ((flags & XATTR_REPLACE) != 0 && !exists) {
      throw new UnionException(Errno.ENODATA, path.toString(), "no such xattr");
    }
    v.write(n, ByteBuffer.wrap(value));
  }

  @Override
  public void removeXattr(Path path, String name) throws IOException {
    UserDefinedFileAttributeView v = userView(path);
    if (v == null || !name.startsWith(USER) || !v.list().contains(name.substring(USER.length()))) {
      throw new UnionException(Errno.ENODATA, path.toString(), "no such xattr");
    }
    v.delete(name.substring(USER.length()));
  }

  @Override
  public void mkdir(Path path, int mode) throws IOException {
    try {
      Files.createDirectory(path);
      chmod(path, mode);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void mknod(Path path, int mode, long rdev) throws IOException {
    throw new UnionException(Errno.ENOTSUP, path.toString(), "java.nio cannot make device nodes");
  }

  @Override
  public void symlink(String target, Path link) throws IOException {
    try {
      Files.createSymbolicLink(link, link.getFileSystem().getPath(target));
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, link.toString());
    }
  }

  @Override
  public String readlink(Path path) throws IOException {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    try {
      Files.createLink(newLink, existing);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, newLink.toString());
    }
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    try {
      switch (mode) {
        case REPLACE:
          if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnionException(Errno.EISDIR, to.toString(), "is a directory");
          }
          Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          break;
        case NOREPLACE:
          if (lstat(to) != null) {
            throw new UnionException(Errno.EEXIST, to.toString(), "file exists");
          }
          Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
          break;
        case EXCHANGE:
          if (lstat(to) == null || lstat(from) == null) {
            throw new UnionException(Errno.ENOENT, to.toString(), "exchange needs both names");
          }
          Path tmp = from.resolveSibling(from.getFileName() + ".exchange-tmp");
          Files.move(from, tmp, StandardCopyOption.ATOMIC_MOVE);
          Files.move(to, from, StandardCopyOption.ATOMIC_MOVE);
          Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
          break;
        default:
          throw new UnionException(Errno.EINVAL, from.toString(), "RENAME_WHITEOUT needs native rename");
      }
    } catch (UnionException e) {
      throw e;
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, from.toString());
    }
  }

  @Override
  public void unlink(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new UnionException(Errno.EISDIR, path.toString(), "is a directory");
    }
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void rmdir(Path path) throws IOException {
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new UnionException(Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? Errno.ENOTDIR : Errno.ENOENT,
          path.toString(), "not a directory");
    }
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void chmod(Path path, int mode) throws IOException {
    PosixFileAttributeView pv = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (pv != null) {
      try {
        pv.setPermissions(toPermissions(mode));
      } catch (IOException e) {
        throw ErrnoMapper.toUnion(e, path.toString());
      }
    }
  }

  @Override
  public void lchown(Path path, int uid, int gid) {
    // owners are not modelled on plain NIO
  }

  @Override
  public void utimens(Path path, long atimeNs, long mtimeNs) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    FileTime m = time(mtimeNs, a.lastModifiedTime());
    FileTime at = time(atimeNs, a.lastAccessTime());
    Files.getFileAttributeView(path, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(m, at, null);
  }

  private static FileTime time(long ns, FileTime keep) {
    if (ns == UTIME_OMIT) {
      return keep;
    }
    if (ns == UTIME_NOW) {
      return FileTime.fromMillis(System.currentTimeMillis());
    }
    return FileTime.from(ns, TimeUnit.NANOSECONDS);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
      if (size < ch.size()) {
        ch.truncate(size);
      } else if (size > ch.size()) {
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void createFile(Path path, int mode) throws IOException {
    try {
      Files.createFile(path);
      chmod(path, mode);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public byte[] readSmallFile(Path path, int max) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes(max);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void writeNewFile(Path path, byte[] data, int mode) throws IOException {
    createFile(path, mode);
    try {
      Files.write(path, data, java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, path.toString());
    }
  }

  @Override
  public void copyFileData(Path from, Path to, boolean sync) throws IOException {
    if (lstat(to) != null) {
      throw new UnionException(Errno.EEXIST, to.toString(), "file exists");
    }
    try {
      Files.copy(from, to);
      chmod(to, 0600);
    } catch (IOException e) {
      Files.deleteIfExists(to);
      throw ErrnoMapper.toUnion(e, from.toString());
    }
  }

  @Override
  public void syncDirectory(Path dir) {
    // nothing to flush on plain NIO
  }
}
