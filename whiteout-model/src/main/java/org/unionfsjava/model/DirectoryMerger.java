package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lists a visible directory: the names of all its layers, top first, each once, without
 * whiteouts, the names they hide, and the union's internal names. A lower directory that
 * vanished since it was resolved (NFS) contributes nothing.
 */
public final class DirectoryMerger {
  private final BranchIo io;
  private final Lookup lookup;

  public DirectoryMerger(BranchIo io, Lookup lookup) {
    this.io = io;
    this.lookup = lookup;
  }

  /** The merged listing, in the order the branches gave the names, upper first. */
  public List<MergedEntry> list(Resolution.Visible dir) throws IOException {
    return merge(dir, Integer.MAX_VALUE);
  }

  /** True if the merged listing of this directory has no names. */
  public boolean isEmpty(Resolution.Visible dir) throws IOException {
    return merge(dir, 1).isEmpty();
  }

  private List<MergedEntry> merge(Resolution.Visible dir, int limit) throws IOException {
    if (!dir.isDirectory()) {
      throw new UnionException(Errno.ENOTDIR, dir.path().toString(), "not a directory");
    }
    WhiteoutFormat format = lookup.format();
    Map<String, MergedEntry> seen = new LinkedHashMap<>();
    Set<String> hidden = new HashSet<>();
    List<Layer> layers = dir.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      List<DirEntry> entries;
      try {
        entries = io.list(layer.path());
      } catch (UnionException e) {
        if (!layer.inUpper() && (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ESTALE)) {
          continue;
        }
        throw e;
      }
      boolean last = i == layers.size() - 1;
      List<String> layerWhiteouts = last ? List.of() : new ArrayList<>();
      boolean typeByStat = format.statsUnknownEntries();
      for (DirEntry listed : entries) {
        DirEntry e = listed;
        if (typeByStat && e.kind() == FileKind.UNKNOWN) {
          // DT_UNKNOWN (NFS nordirplus): this format must stat the entry to tell a whiteout anyway;
          // keep the type it finds, and drop a name that vanished since the readdir
          Stat st = io.lstat(layer.path().resolve(e.name()));
          if (st == null) {
            continue;
          }
          e = new DirEntry(e.name(), st.kind(), e.ino() != 0 ? e.ino() : st.ino());
        }
        String name = e.name();
        String w = format.whitedOutName(io, layer.path(), e);
        if (w != null) {
          if (!last) {
            layerWhiteouts.add(w);
          }
          continue;
        }
        if (lookup.isInternal(dir.path(), name) || seen.containsKey(name) || hidden.contains(name)) {
          continue;
        }
        seen.put(name, new MergedEntry(name, e.kind(), e.ino(), layer.branch()));
        if (seen.size() >= limit) {
          return new ArrayList<>(seen.values());
        }
      }
      hidden.addAll(layerWhiteouts);
    }
    return new ArrayList<>(seen.values());
  }

  /** The real path of a merged entry in its branch, for a stat of a listed name. */
  public static Path realPath(Resolution.Visible dir, MergedEntry e) {
    for (Layer l : dir.layers()) {
      if (l.branch().equals(e.branch())) {
        return l.path().resolve(e.name());
      }
    }
    throw new IllegalArgumentException(e.name() + " is not from a layer of " + dir.path());
  }
}
