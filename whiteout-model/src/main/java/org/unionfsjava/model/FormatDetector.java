package org.unionfsjava.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Decides the whiteout format of an upper at mount: the format recorded in the work directory
 * wins; an upper without a record (new, or written by kernel overlayfs or an OCI tool) is scanned
 * for markers; an empty one takes the requested format, or for {@link WhiteoutChoice#AUTO} the overlay format where
 * the upper allows device nodes and trusted xattrs, else aufs. A request that contradicts what
 * the upper holds is refused: formats are never mixed in one upper.
 */
public final class FormatDetector {
  private static final Logger LOG = LogManager.getLogger();
  /** The file in the work directory that records the format. */
  public static final String RECORD = "format";

  private final BranchIo io;

  public FormatDetector(BranchIo io) {
    this.io = io;
  }

  /**
   * The format of this name ({@link WhiteoutFormat#name}, any case), as a record or a tool's
   * argument names it; {@code auto} is a choice, not a format ({@link #choose}).
   */
  public static WhiteoutFormat byName(String name) throws UnionException {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "overlay": return new OverlayFormat();
      case "aufs": return new AufsFormat();
      default:
        throw new UnionException(Errno.EINVAL, name, "unknown whiteout format '" + name
            + "' (known: overlay, aufs)");
    }
  }

  /** The format a choice other than {@link WhiteoutChoice#AUTO} names. */
  static WhiteoutFormat of(WhiteoutChoice choice) {
    return choice == WhiteoutChoice.OVERLAY ? new OverlayFormat() : new AufsFormat();
  }

  /**
   * Chooses the format for this upper.
   *
   * @param requested the format asked for, or {@link WhiteoutChoice#AUTO}
   * @param workDir the prepared work directory (the record lives there)
   * @param skipName a name at the upper's root not to scan (the work directory), or null
   * @throws FormatMismatchException if the upper is in another format than the one requested
   */
  public WhiteoutFormat choose(WhiteoutChoice requested, Path upper, WorkDir workDir, String skipName)
      throws IOException {
    boolean auto = requested == null || requested == WhiteoutChoice.AUTO;
    String found = readRecord(workDir);
    if (found == null) {
      found = scan(upper, skipName);
      if (found != null) {
        LOG.info("upper {} holds {} markers", upper, found);
      }
    }
    String chosen;
    if (found != null) {
      if (!auto && !of(requested).name().equals(found)) {
        throw new FormatMismatchException(upper.toString(), found, requested);
      }
      chosen = found;
    } else if (!auto) {
      chosen = of(requested).name();
      if (chosen.equals("overlay")) {
        requireOverlayCapable(workDir);
      }
    } else {
      chosen = overlayCapable(workDir) ? "overlay" : "aufs";
    }
    writeRecord(workDir, chosen);
    return byName(chosen);
  }

  /**
   * The format an existing upper is in, without changing anything: the one recorded in the work
   * directory {@code workDir}, else the one whose markers the upper holds; null if neither says.
   */
  public String detect(Path upper, Path workDir, String skipName) throws IOException {
    String recorded = recorded(workDir);
    return recorded != null ? recorded : scan(upper, skipName);
  }

  /** The format recorded in the work directory {@code workDir}, or null if it has no record. */
  public String recorded(Path workDir) throws IOException {
    Path rec = workDir.resolve(RECORD);
    if (io.lstat(rec) == null) {
      return null;
    }
    byte[] data = io.readSmallFile(rec, 4096);
    return new String(data, StandardCharsets.US_ASCII).trim();
  }

  private String readRecord(WorkDir workDir) throws IOException {
    Path rec = workDir.path().resolve(RECORD);
    if (io.lstat(rec) == null) {
      return null;
    }
    byte[] data = io.readSmallFile(rec, 4096);
    return new String(data, StandardCharsets.US_ASCII).trim();
  }

  private void writeRecord(WorkDir workDir, String name) throws IOException {
    Path rec = workDir.path().resolve(RECORD);
    if (name.equals(readRecord(workDir))) {
      return;
    }
    Path temp = workDir.newTempPath();
    io.writeNewFile(temp, (name + "\n").getBytes(StandardCharsets.US_ASCII), 0644);
    io.rename(temp, rec, BranchIo.RenameMode.REPLACE);
  }

  /** Walks the upper looking for either format's markers; null if it holds none. */
  public String scan(Path upper, String skipName) throws IOException {
    WhiteoutFormat overlay = new OverlayFormat();
    WhiteoutFormat aufs = new AufsFormat();
    Deque<Path> dirs = new ArrayDeque<>();
    dirs.add(upper);
    while (!dirs.isEmpty()) {
      Path d = dirs.poll();
      if (overlay.isOpaque(io, d)) {
        return overlay.name();
      }
      List<DirEntry> entries = io.list(d);
      for (DirEntry e : entries) {
        if (d.equals(upper) && e.name().equals(skipName)) {
          continue;
        }
        if (aufs.isMarker(io, d, e)) {
          return aufs.name();
        }
        if (overlay.whitedOutName(io, d, e) != null) {
          return overlay.name();
        }
        FileKind k = e.kind();
        if (k == FileKind.UNKNOWN) {
          Stat st = io.lstat(d.resolve(e.name()));
          k = st == null ? FileKind.UNKNOWN : st.kind();
        }
        if (k == FileKind.DIRECTORY) {
          dirs.add(d.resolve(e.name()));
        }
      }
    }
    return null;
  }

  private boolean overlayCapable(WorkDir workDir) {
    try {
      requireOverlayCapable(workDir);
      return true;
    } catch (IOException e) {
      LOG.info("overlay whiteouts not possible on this upper ({}); using aufs", e.getMessage());
      return false;
    }
  }

  private void requireOverlayCapable(WorkDir workDir) throws IOException {
    Path probe = workDir.newTempPath();
    try {
      io.mknod(probe, 0020000, 0);
      io.unlink(probe);
      io.mkdir(probe, 0700);
      io.setXattr(probe, OverlayFormat.OPAQUE_XATTR, new byte[] {'y'}, 0);
      io.rmdir(probe);
    } catch (UnionException e) {
      workDir.removeTree(probe);
      throw new UnionException(e.errno(), workDir.path().toString(), "the overlay whiteout format"
          + " needs device nodes and trusted xattrs on the upper's filesystem (root): " + e.getMessage()
          + "; use --whiteout-format aufs", e);
    }
  }
}
