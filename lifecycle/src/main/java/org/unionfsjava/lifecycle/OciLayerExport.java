package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.unionfsjava.model.AufsFormat;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.MergedEntry;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;

/**
 * The {@code export --oci} tool: the upper as an OCI image layer (image-spec, "Image Layer
 * Filesystem Changeset"): a tar of the changed objects, a whiteout as an empty {@code .wh.NAME},
 * an opaque directory as the directory plus {@code .wh..wh..opq} inside it. OCI has no
 * redirects: a renamed directory is written whole (its merged content, opaque) and its old name
 * is whited out, as the upper already records. A metadata-only copy carries its lower data.
 * Names sharing an inode are tar hard links. The tar is written aside and renamed into place.
 */
public final class OciLayerExport {
  private final UpperLayout layout;
  private final BranchIo io;
  private final Lookup lookup;
  private final DirectoryMerger merger;
  private final Progress progress;
  private final Map<String, String> firstName = new HashMap<>();
  private TarArchiveOutputStream tar;
  private long entries;

  public OciLayerExport(UpperLayout layout, Progress progress) {
    this.layout = layout;
    this.io = layout.io();
    this.lookup = layout.lookup();
    this.merger = layout.merger(lookup);
    this.progress = progress;
  }

  /** Writes the layer to {@code file} (as a name string path); returns the number of tar entries. */
  public long exportTo(Path file) throws IOException {
    Path platform = Path.of(new String(NameCharset.bytes(file.toString()), java.nio.charset.StandardCharsets.UTF_8));
    Path temp = platform.resolveSibling("." + platform.getFileName() + ".unionfs-export." + ProcessHandle.current().pid());
    progress.begin("export: writing the OCI layer");
    try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      tar = new TarArchiveOutputStream(out, NameCharset.get().name());
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      new UpperWalk(layout, progress).walk(new UpperWalk.Visitor() {
        @Override
        public boolean visit(UpperEntry e) throws IOException {
          if (e.path().isRoot()) {
            return true;
          }
          String rel = e.path().relative();
          if (e.whiteout()) {
            marker(parentRel(e.path()) + AufsFormat.PREFIX + e.path().name());
            return false;
          }
          if (e.isDirectory() && e.redirect() != null) {
            Resolution.Visible v = lookup.resolve(e.path()).requireDirectory();
            directory(rel, e.stat());
            marker(rel + "/" + AufsFormat.OPAQUE_MARKER);
            merged(v);
            return false;
          }
          if (e.isDirectory()) {
            directory(rel, e.stat());
            if (e.hidesLowers()) {
              marker(rel + "/" + AufsFormat.OPAQUE_MARKER);
            }
            return true;
          }
          Path data = e.real();
          if (e.metacopy()) {
            data = lookup.resolve(e.path()).requireVisible().dataLayer().path();
          }
          object(rel, e.real(), e.stat(), data);
          return false;
        }
      });
      indexedLowerNames();
      tar.finish();
      out.flush();
      progress.end();
    } catch (IOException | RuntimeException e) {
      progress.end();
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, platform, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return entries;
  }

  /**
   * Lower names of a hard-linked lower file whose other name was copied up: the union shows the
   * index copy under them too, so the layer must carry them (as links to that copy).
   */
  private void indexedLowerNames() throws IOException {
    Path indexDir = layout.workDir().resolve("index");
    if (io.lstat(indexDir) == null || io.list(indexDir).isEmpty()) {
      return;
    }
    org.unionfsjava.model.HardLinkIndex index = layout.index();
    for (org.unionfsjava.model.Branch b : layout.stack().lowers()) {
      scanLower(b, b.root(), UnionPath.ROOT, index);
    }
  }

  private void scanLower(org.unionfsjava.model.Branch b, Path dir, UnionPath at,
      org.unionfsjava.model.HardLinkIndex index) throws IOException {
    for (org.unionfsjava.model.DirEntry d : io.list(dir)) {
      Path p = dir.resolve(d.name());
      Stat st = io.lstat(p);
      if (st == null) {
        continue;
      }
      UnionPath up = at.child(d.name());
      if (st.isDirectory()) {
        scanLower(b, p, up, index);
      } else if (st.kind() == FileKind.REGULAR && st.nlink() > 1) {
        Path idx = index.pathFor(b.index(), st.ino());
        Stat is = io.lstat(idx);
        if (is == null) {
          continue;
        }
        Resolution r = lookup.resolve(up);
        if (r instanceof Resolution.Visible && !((Resolution.Visible) r).inUpper()
            && ((Resolution.Visible) r).top().branch().equals(b)) {
          progress.step();
          object(up.relative(), idx, is, idx);
        }
      }
    }
  }

  private static String parentRel(UnionPath p) {
    return p.parent().isRoot() ? "" : p.parent().relative() + "/";
  }

  /** Everything a renamed directory shows, from its merged layers. */
  private void merged(Resolution.Visible dir) throws IOException {
    for (MergedEntry m : merger.list(dir)) {
      Resolution r = lookup.step(dir, m.name());
      if (!(r instanceof Resolution.Visible)) {
        continue;
      }
      Resolution.Visible v = (Resolution.Visible) r;
      progress.step();
      Stat st = io.lstat(v.top().path());
      if (st == null) {
        continue;
      }
      if (v.isDirectory()) {
        directory(v.path().relative(), st);
        merged(v);
      } else {
        object(v.path().relative(), v.top().path(), st, v.dataLayer().path());
      }
    }
  }

  private void directory(String rel, Stat st) throws IOException {
    TarArchiveEntry t = new TarArchiveEntry(rel + "/", TarConstants.LF_DIR, true);
    attributes(t, st);
    put(t, null, 0);
  }

  private void marker(String rel) throws IOException {
    TarArchiveEntry t = new TarArchiveEntry(rel, TarConstants.LF_NORMAL, true);
    t.setMode(0100644);
    t.setSize(0);
    put(t, null, 0);
  }

  private void object(String rel, Path real, Stat st, Path data) throws IOException {
    String key = st.dev() + ":" + st.ino();
    if (st.nlink() > 1 && firstName.containsKey(key)) {
      TarArchiveEntry t = new TarArchiveEntry(rel, TarConstants.LF_LINK, true);
      t.setLinkName(firstName.get(key));
      attributes(t, st);
      put(t, null, 0);
      return;
    }
    TarArchiveEntry t;
    switch (st.kind()) {
      case REGULAR:
        t = new TarArchiveEntry(rel, TarConstants.LF_NORMAL, true);
        attributes(t, st);
        t.setSize(st.size());
        put(t, data, st.size());
        break;
      case SYMLINK:
        t = new TarArchiveEntry(rel, TarConstants.LF_SYMLINK, true);
        t.setLinkName(io.readlink(real));
        attributes(t, st);
        put(t, null, 0);
        break;
      default:
        byte type = st.kind() == FileKind.CHAR_DEVICE ? TarConstants.LF_CHR
            : st.kind() == FileKind.BLOCK_DEVICE ? TarConstants.LF_BLK : TarConstants.LF_FIFO;
        t = new TarArchiveEntry(rel, type, true);
        attributes(t, st);
        t.setDevMajor((int) (((st.rdev() >>> 8) & 0xfff) | ((st.rdev() >>> 32) & ~0xfffL)));
        t.setDevMinor((int) ((st.rdev() & 0xff) | ((st.rdev() >>> 12) & ~0xffL)));
        put(t, null, 0);
        break;
    }
    if (st.nlink() > 1) {
      firstName.put(key, rel);
    }
  }

  private static void attributes(TarArchiveEntry t, Stat st) {
    t.setMode(st.mode());
    t.setUserId(st.uid());
    t.setGroupId(st.gid());
    t.setModTime(java.nio.file.attribute.FileTime.from(java.time.Instant.ofEpochSecond(0, st.mtimeNs())));
  }

  private void put(TarArchiveEntry t, Path data, long size) throws IOException {
    tar.putArchiveEntry(t);
    if (data != null) {
      Path platform = Path.of(new String(NameCharset.bytes(data.toString()), java.nio.charset.StandardCharsets.UTF_8));
      try (InputStream in = Files.newInputStream(platform)) {
        long copied = in.transferTo(tar);
        if (copied != size) {
          throw new IOException(data + " changed size while it was exported");
        }
      }
      progress.advance(0, size);
    }
    tar.closeArchiveEntry();
    entries++;
  }
}
