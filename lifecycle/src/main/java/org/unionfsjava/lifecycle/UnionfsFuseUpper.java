package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;

/**
 * The layout unionfs-fuse writes into its writable branch: a meta directory at the root ({@code
 * .unionfs}, or {@code .unionfs-fuse} in its 1.0 releases) that mirrors the tree, where {@code
 * PATH_HIDDEN~} (an empty file, or a directory for a removed directory) hides PATH and everything
 * below it in the branches below. An object the branch itself has at a hidden path is visible
 * and hides the lowers: a directory there is opaque. (unionfs-fuse's findbranch.c and readdir.c.)
 */
public final class UnionfsFuseUpper {
  /** The meta directory names, newest first. */
  public static final String[] META_NAMES = {".unionfs", ".unionfs-fuse"};
  /** The suffix of a hide marker. */
  public static final String HIDE_TAG = "_HIDDEN~";

  private final BranchIo io;
  private final Path upper;
  private final String metaName;
  private final Set<UnionPath> hidden = new TreeSet<>();

  private UnionfsFuseUpper(BranchIo io, Path upper, String metaName) {
    this.io = io;
    this.upper = upper;
    this.metaName = metaName;
  }

  /** The unionfs-fuse layout of this upper, or null if it has no meta directory. */
  public static UnionfsFuseUpper find(BranchIo io, Path upper) throws IOException {
    for (String name : META_NAMES) {
      Stat st = io.lstat(upper.resolve(name));
      if (st != null && st.isDirectory()) {
        UnionfsFuseUpper u = new UnionfsFuseUpper(io, upper, name);
        u.readMarkers(upper.resolve(name), UnionPath.ROOT);
        return u;
      }
    }
    return null;
  }

  private void readMarkers(Path metaDir, UnionPath at) throws IOException {
    for (DirEntry e : io.list(metaDir)) {
      String n = e.name();
      if (n.endsWith(HIDE_TAG) && n.length() > HIDE_TAG.length()) {
        hidden.add(at.child(n.substring(0, n.length() - HIDE_TAG.length())));
        continue;
      }
      Stat st = io.lstat(metaDir.resolve(n));
      if (st != null && st.isDirectory()) {
        readMarkers(metaDir.resolve(n), at.child(n));
      }
    }
  }

  /** The meta directory's name at the root (never part of the converted tree). */
  public String metaName() {
    return metaName;
  }

  /** The upper's root. */
  public Path upper() {
    return upper;
  }

  /** True if a marker hides exactly this path. */
  public boolean isHidden(UnionPath p) {
    return hidden.contains(p);
  }

  /** Every hidden path, in path order. */
  public Set<UnionPath> hiddenPaths() {
    return hidden;
  }

  /** True if a marker hides a proper ancestor of this path (then its own marker says nothing new). */
  public boolean ancestorHidden(UnionPath p) {
    for (UnionPath a = p.parent(); !a.isRoot(); a = a.parent()) {
      if (hidden.contains(a)) {
        return true;
      }
    }
    return false;
  }
}
