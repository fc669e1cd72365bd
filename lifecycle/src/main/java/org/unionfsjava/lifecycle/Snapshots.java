package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.SnapshotLayers;
import org.unionfsjava.fs.SnapshotLayers.Layer;
import org.unionfsjava.model.AufsFormat;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.BranchStack;
import org.unionfsjava.model.CopyUp;
import org.unionfsjava.model.CrashPoints;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.MergedEntry;
import org.unionfsjava.model.OverlayFormat;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WorkDir;

/**
 * Snapshots of an upper as read-only layers ({@link SnapshotLayers} has the layout): {@link
 * #snapshot} makes the upper the newest layer below a fresh empty upper, {@link #reset} empties
 * the upper, {@link #rollback} drops the upper and the layers above one, {@link #squash} merges
 * adjacent layers into one. The union must not be mounted (the caller holds the upper's lock).
 *
 * <p>Every change has one commit point: the RENAME_EXCHANGE of the upper with a fresh one built
 * aside (the record of the layers lives in the upper's work directory, so it is swapped with it),
 * or, for squash, the rename of a new record over the old one. What is built before that point is
 * not yet named by the record; what is dropped after it no longer is: the next run of any of these
 * tools (and {@code check --repair}) removes such leftovers, and a mount never sees them.
 *
 * <p>A layer is read as a lower, where the union follows neither redirects nor metadata-only
 * copies nor the upper's hard-link index. So a snapshot first settles the upper, each step
 * keeping what the union shows: a metadata-only copy gets its data, a renamed directory gets the
 * lower content it redirected to and becomes opaque, and the lower names of a copied-up hard link
 * become upper links of its index copy, whose index entry then goes.
 */
public final class Snapshots {
  private static final Logger LOG = LogManager.getLogger();

  /** One snapshot as listed: its number (position, 1 the oldest), record entry, size on disk. */
  public record Listed(int number, Layer layer, Path dir, long objects, long bytes) {}

  /** What a change did. */
  public record Result(String what, int layers, long settled, long objects, long removed) {}

  private final BranchIo io;
  private final Path upper;
  private final Path workDir;
  private final List<Path> baseLowers;
  private final Progress progress;
  private final Path layersDir;
  private final WhiteoutFormat format;

  /**
   * @param upper the upper (a name string path, as the branch I/O takes)
   * @param baseLowers the lowers the union was mounted over, without the layers, top first (may
   *     be empty for list, reset and rollback)
   */
  public Snapshots(BranchIo io, Path upper, List<Path> baseLowers, Progress progress) throws IOException {
    this.io = io;
    this.upper = upper;
    this.workDir = upper.resolve(UpperLayout.DEFAULT_WORKDIR_NAME);
    this.baseLowers = List.copyOf(baseLowers);
    this.progress = progress;
    this.layersDir = SnapshotLayers.layersDir(upper);
    Stat st = io.lstat(upper);
    if (st == null || !st.isDirectory()) {
      throw new UnionException(Errno.ENOENT, upper.toString(), "the upper does not exist");
    }
    String found = new FormatDetector(io).detect(upper, workDir, UpperLayout.DEFAULT_WORKDIR_NAME);
    this.format = FormatDetector.byName(found == null ? "aufs" : found);
  }

  /** Where the layers lie. */
  public Path layersDir() {
    return layersDir;
  }

  /** The recorded layers, the oldest first. */
  public List<Layer> layers() throws IOException {
    return readRecord(workDir);
  }

  private List<Layer> readRecord(Path work) throws IOException {
    Path rec = work.resolve(SnapshotLayers.RECORD);
    if (io.lstat(rec) == null) {
      return List.of();
    }
    return SnapshotLayers.parse(new String(io.readSmallFile(rec, 1 << 20), StandardCharsets.UTF_8), rec);
  }

  /** The full stack's lowers: the layers, newest first, then the base lowers. */
  public List<Path> stackedLowers(List<Layer> layers) {
    List<Path> out = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      out.add(layersDir.resolve(layers.get(i).id()));
    }
    out.addAll(baseLowers);
    return out;
  }

  /** The snapshots with their sizes (objects and allocated bytes of each layer). */
  public List<Listed> list() throws IOException {
    List<Layer> layers = layers();
    List<Listed> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Path dir = layersDir.resolve(layers.get(i).id());
      long[] size = {0, 0};
      size(dir, size, true);
      out.add(new Listed(i + 1, layers.get(i), dir, size[0], size[1]));
    }
    return out;
  }

  private void size(Path dir, long[] acc, boolean root) throws IOException {
    for (DirEntry e : io.list(dir)) {
      if (root && e.name().equals(UpperLayout.DEFAULT_WORKDIR_NAME)) {
        continue;
      }
      Path p = dir.resolve(e.name());
      Stat st = io.lstat(p);
      if (st == null) {
        continue;
      }
      acc[0]++;
      acc[1] += st.size();
      if (st.isDirectory()) {
        size(p, acc, false);
      }
    }
  }

  // ---------------------------------------------------------------- snapshot

  /** Makes the upper layer N+1 (named {@code name}) below a fresh empty upper. */
  public Result snapshot(String name) throws IOException {
    String label = name == null ? "" : name;
    new Layer("0", Instant.EPOCH, label); // checks the name
    long removed = removeLeftovers();
    List<Layer> layers = layers();
    progress.begin("settling the upper");
    long settled = settle(layers);
    ensureLayersDir();
    String id = nextId(layers);
    Path fresh = layersDir.resolve(id);
    List<Layer> after = new ArrayList<>(layers);
    after.add(new Layer(id, Instant.now(), label));
    try {
      buildFreshUpper(fresh, after);
      ToolCalls.syncFilesystem(fresh);
      CrashPoints.reach("snapshot.before-swap");
      Progress.checkInterrupted();
      io.rename(upper, fresh, BranchIo.RenameMode.EXCHANGE);
    } catch (IOException | RuntimeException e) {
      discard(fresh);
      throw e;
    }
    io.syncDirectory(upper.getParent());
    io.syncDirectory(layersDir);
    CrashPoints.reach("snapshot.after-swap");
    // the old upper is layer `id` now; its own record of the layers below it is not used
    Path oldRecord = fresh.resolve(UpperLayout.DEFAULT_WORKDIR_NAME).resolve(SnapshotLayers.RECORD);
    if (io.lstat(oldRecord) != null) {
      io.unlink(oldRecord);
    }
    progress.end();
    return new Result("snapshot", after.size(), settled, 0, removed);
  }

  private void ensureLayersDir() throws IOException {
    if (io.lstat(layersDir) == null) {
      io.mkdir(layersDir, 0700);
      io.syncDirectory(layersDir.getParent());
    }
  }

  private String nextId(List<Layer> layers) throws IOException {
    long max = 0;
    for (Layer l : layers) {
      max = Math.max(max, Long.parseLong(l.id()));
    }
    for (DirEntry e : io.list(layersDir)) {
      String n = e.name().startsWith(".") ? e.name().substring(1).split("\\.", 2)[0] : e.name();
      if (n.matches("[0-9]{1,9}")) {
        max = Math.max(max, Long.parseLong(n));
      }
    }
    return Long.toString(max + 1);
  }

  /**
   * An empty upper at {@code dir} as a mount would start it: the upper's root attributes, a work
   * directory with the same format record and the given layer record.
   */
  private void buildFreshUpper(Path dir, List<Layer> layers) throws IOException {
    Stat rootSt = io.lstat(upper);
    io.mkdir(dir, 0700);
    Path work = dir.resolve(UpperLayout.DEFAULT_WORKDIR_NAME);
    WorkDir w = new WorkDir(io, work);
    w.prepare();
    Path formatRecord = workDir.resolve(FormatDetector.RECORD);
    if (io.lstat(formatRecord) != null) {
      io.writeNewFile(work.resolve(FormatDetector.RECORD), io.readSmallFile(formatRecord, 4096), 0644);
    }
    if (!layers.isEmpty()) {
      io.writeNewFile(work.resolve(SnapshotLayers.RECORD),
          SnapshotLayers.format(layers).getBytes(StandardCharsets.UTF_8), 0644);
    }
    new Attributes(io, format).copy(upper, rootSt, dir);
  }

  // ---------------------------------------------------------------- reset, rollback

  /** Empties the upper (the layers stay). */
  public Result reset() throws IOException {
    long removed = removeLeftovers();
    List<Layer> layers = layers();
    replaceUpper("reset", layers);
    return new Result("reset", layers.size(), 0, 0, removed);
  }

  /** Drops the upper's changes and every layer above layer {@code n} (0: all of them). */
  public Result rollback(int n) throws IOException {
    long removed = removeLeftovers();
    List<Layer> layers = layers();
    if (n < 0 || n > layers.size()) {
      throw new UnionException(Errno.EINVAL, upper.toString(), "there is no snapshot " + n
          + " (there are " + layers.size() + ")");
    }
    List<Layer> kept = List.copyOf(layers.subList(0, n));
    replaceUpper("rollback", kept);
    removed += removeLeftovers();
    return new Result("rollback", kept.size(), 0, 0, removed);
  }

  private void replaceUpper(String tool, List<Layer> layers) throws IOException {
    AsideTree aside = new AsideTree(io, upper, tool);
    try {
      buildFreshUpper(aside.temp(), layers);
      Progress.checkInterrupted();
      aside.install(true, tool + ".before-swap", tool + ".after-swap");
    } catch (IOException | RuntimeException e) {
      aside.discard();
      throw e;
    }
  }

  // ---------------------------------------------------------------- squash

  /** Merges layers {@code from} to {@code to} (numbers, from < to) into one, named as {@code to}. */
  public Result squash(int from, int to) throws IOException {
    long removed = removeLeftovers();
    List<Layer> layers = layers();
    if (from < 1 || to > layers.size() || from >= to) {
      throw new UnionException(Errno.EINVAL, upper.toString(), "squash needs two snapshot numbers"
          + " FROM < TO among 1.." + layers.size() + " (given " + from + " " + to + ")");
    }
    List<Path> range = new ArrayList<>(); // top first
    for (int i = to - 1; i >= from - 1; i--) {
      range.add(layersDir.resolve(layers.get(i).id()));
    }
    List<Path> below = new ArrayList<>();
    for (int i = from - 2; i >= 0; i--) {
      below.add(layersDir.resolve(layers.get(i).id()));
    }
    below.addAll(baseLowers);
    // what the branches below the range show, the topmost standing in as the stack's upper (a
    // stack needs a lower: a single branch is given twice, which shows the same)
    Lookup belowLookup = below.isEmpty() ? null
        : new Lookup(BranchStack.of(below.get(0), below.size() > 1 ? below.subList(1, below.size())
            : below), io, format, UpperLayout.DEFAULT_WORKDIR_NAME);
    String id = nextId(layers);
    Path target = layersDir.resolve(id);
    AsideTree aside = new AsideTree(io, target, "squash");
    long[] objects = {0};
    progress.begin("merging layers " + from + " to " + to);
    try {
      Path t = aside.temp();
      io.mkdir(t, 0700);
      new LayerMerge(belowLookup, objects).mergeDir(UnionPath.ROOT, range, t);
      Stat topRoot = io.lstat(range.get(0));
      new Attributes(io, format).copy(range.get(0), topRoot, t);
      aside.install(false, "squash.before-rename", "squash.after-rename");
      CrashPoints.reach("squash.after-rename"); // built and in place, but no record names it yet
    } catch (IOException | RuntimeException e) {
      aside.discard();
      discardIfUnrecorded(target, layers);
      throw e;
    }
    Layer top = layers.get(to - 1);
    List<Layer> after = new ArrayList<>(layers.subList(0, from - 1));
    after.add(new Layer(id, top.made(), top.name()));
    after.addAll(layers.subList(to, layers.size()));
    writeRecord(after);
    CrashPoints.reach("squash.after-record");
    removed += removeLeftovers();
    progress.end();
    return new Result("squash", after.size(), 0, objects[0], removed);
  }

  private void discardIfUnrecorded(Path target, List<Layer> layers) {
    try {
      if (layers.stream().noneMatch(l -> layersDir.resolve(l.id()).equals(target))) {
        AsideTree.remove(io, target);
      }
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}; the next run removes it", target, e.getMessage());
    }
  }

  /** Replaces the layer record in one rename (the commit point of a squash). */
  private void writeRecord(List<Layer> layers) throws IOException {
    WorkDir w = new WorkDir(io, workDir);
    w.prepare(); // its temporaries are nobody's: the caller holds the upper's lock
    Path temp = w.newTempPath();
    io.writeNewFile(temp, SnapshotLayers.format(layers).getBytes(StandardCharsets.UTF_8), 0644);
    ToolCalls.syncFilesystem(temp);
    io.rename(temp, workDir.resolve(SnapshotLayers.RECORD), BranchIo.RenameMode.REPLACE);
    io.syncDirectory(workDir);
  }

  /** Two or more adjacent layers merged into one new layer, top layer's entries winning. */
  private final class LayerMerge {
    private final Lookup below;
    private final long[] objects;

    LayerMerge(Lookup below, long[] objects) {
      this.below = below;
      this.objects = objects;
    }

    /** Merges the same directory of several layers (top first) into {@code t}. */
    void mergeDir(UnionPath path, List<Path> dirs, Path t) throws IOException {
      List<List<UpperEntry>> lists = new ArrayList<>();
      Set<String> names = new java.util.TreeSet<>();
      for (Path d : dirs) {
        List<UpperEntry> es = entries(path, d);
        lists.add(es);
        for (UpperEntry e : es) {
          names.add(e.path().name());
        }
      }
      for (String name : names) {
        progress.step();
        objects[0]++;
        UpperEntry first = null;
        int at = -1;
        for (int i = 0; i < lists.size() && first == null; i++) {
          first = find(lists.get(i), name);
          at = i;
        }
        UnionPath p = path.child(name);
        if (first.whiteout()) {
          if (below == null || belowHas(p)) {
            format.whiteout(io, null, t, name);
          }
          continue;
        }
        if (!first.isDirectory()) {
          io.link(first.real(), t.resolve(name));
          continue;
        }
        List<Path> chain = new ArrayList<>();
        chain.add(first.real());
        boolean opaque = first.hidesLowers();
        for (int i = at + 1; i < lists.size() && !opaque; i++) {
          UpperEntry e = find(lists.get(i), name);
          if (e == null) {
            continue;
          }
          if (e.whiteout() || !e.isDirectory()) {
            opaque = true; // it hid everything below in its layer
            break;
          }
          chain.add(e.real());
          opaque = e.hidesLowers();
        }
        Path child = t.resolve(name);
        io.mkdir(child, 0700);
        mergeDir(p, chain, child);
        if (opaque && (below == null || belowHas(p))) {
          format.markOpaque(io, child);
        }
        new Attributes(io, format).copy(first.real(), first.stat(), child);
      }
    }

    private UpperEntry find(List<UpperEntry> es, String name) {
      for (UpperEntry e : es) {
        if (e.path().name().equals(name)) {
          return e;
        }
      }
      return null;
    }

    private List<UpperEntry> entries(UnionPath path, Path dir) throws IOException {
      UpperLayout l = new UpperLayout(io, dir, List.of(), dir.resolve(UpperLayout.DEFAULT_WORKDIR_NAME),
          path.isRoot() ? UpperLayout.DEFAULT_WORKDIR_NAME : null, format, null);
      return new UpperWalk(l, Progress.NONE).entries(path, dir, new UpperWalk.Visitor() {
        @Override
        public boolean visit(UpperEntry entry) {
          return false;
        }
      });
    }

    private boolean belowHas(UnionPath p) throws IOException {
      return below.resolve(p) instanceof Resolution.Visible;
    }
  }

  // ---------------------------------------------------------------- settle

  /**
   * Makes the upper readable as a lower without changing what the union shows; returns how many
   * objects it changed.
   */
  long settle(List<Layer> layers) throws IOException {
    List<Path> lowers = stackedLowers(layers);
    if (lowers.isEmpty()) {
      return 0;
    }
    UpperLayout layout = UpperLayout.open(io, upper, lowers, null, format.name());
    Lookup lookup = layout.lookup();
    WorkDir work = layout.work();
    work.prepare();
    CopyUp copyUp = new CopyUp(io, format, work, lookup, true);
    List<UnionPath> metacopies = new ArrayList<>();
    List<UnionPath> redirects = new ArrayList<>();
    new UpperWalk(layout, progress).walk(new UpperWalk.Visitor() {
      @Override
      public boolean visit(UpperEntry e) {
        if (e.metacopy()) {
          metacopies.add(e.path());
        }
        if (e.isDirectory() && e.redirect() != null && !e.opaque()) {
          redirects.add(e.path());
        }
        return e.isDirectory();
      }
    });
    long n = 0;
    for (UnionPath p : metacopies) {
      Resolution r = lookup.resolve(p);
      if (r instanceof Resolution.Visible && ((Resolution.Visible) r).isMetacopy()) {
        copyUp.ensureUpper((Resolution.Visible) r, true);
        n++;
      }
    }
    DirectoryMerger merger = layout.merger(lookup);
    for (int i = redirects.size() - 1; i >= 0; i--) { // the deepest first: a child's relative redirect needs its parent's
      UnionPath p = redirects.get(i);
      n += copyUpBelow(lookup, merger, copyUp, p);
      Path real = p.resolveIn(upper);
      format.markOpaque(io, real); // everything it showed is in the upper now
      if (format.name().equals("overlay")) {
        io.removeXattr(real, OverlayFormat.REDIRECT_XATTR);
      } else if (io.lstat(real.resolve(AufsFormat.REDIRECT_MARKER)) != null) {
        io.unlink(real.resolve(AufsFormat.REDIRECT_MARKER));
      }
      n++;
    }
    n += settleIndex(layout, lookup, copyUp);
    return n;
  }

  /** Copies up everything the union shows below {@code dir} that is not in the upper yet. */
  private long copyUpBelow(Lookup lookup, DirectoryMerger merger, CopyUp copyUp, UnionPath dir) throws IOException {
    Resolution r = lookup.resolve(dir);
    if (!(r instanceof Resolution.Visible)) {
      return 0;
    }
    Resolution.Visible v = (Resolution.Visible) r;
    long n = 0;
    for (MergedEntry e : merger.list(v)) {
      progress.step();
      UnionPath p = dir.child(e.name());
      Resolution c = lookup.resolve(p);
      if (!(c instanceof Resolution.Visible)) {
        continue;
      }
      Resolution.Visible cv = (Resolution.Visible) c;
      if (cv.isDirectory()) {
        if (!cv.inUpper()) {
          copyUp.ensureUpperDir(cv);
          n++;
        }
        if (!cv.inUpper() || cv.hasLowerLayers()) {
          n += copyUpBelow(lookup, merger, copyUp, p);
        }
      } else if (!cv.inUpper()) {
        copyUp.ensureUpper(cv, true);
        n++;
      } else if (cv.isMetacopy()) {
        copyUp.ensureUpper(cv, true);
        n++;
      }
    }
    return n;
  }

  /**
   * Gives every lower name of an indexed hard link its upper link, then drops the index entry:
   * as a lower, the layer's names then share their inode by themselves.
   */
  private long settleIndex(UpperLayout layout, Lookup lookup, CopyUp copyUp) throws IOException {
    Path index = layout.work().indexDir();
    if (io.lstat(index) == null || io.list(index).isEmpty()) {
      return 0;
    }
    BranchStack stack = layout.stack();
    Set<String> wanted = new HashSet<>();
    for (DirEntry e : io.list(index)) {
      wanted.add(e.name());
    }
    long n = 0;
    for (org.unionfsjava.model.Branch b : stack.lowers()) {
      int branch = b.index();
      if (wanted.stream().anyMatch(w -> w.startsWith(branch + "-"))) {
        n += linkLowerNames(lookup, copyUp, b.root(), UnionPath.ROOT, branch, wanted);
      }
    }
    for (String w : wanted) {
      io.unlink(index.resolve(w));
    }
    return n;
  }

  private long linkLowerNames(Lookup lookup, CopyUp copyUp, Path dir, UnionPath at, int branch,
      Set<String> wanted) throws IOException {
    long n = 0;
    for (DirEntry e : io.list(dir)) {
      if (at.isRoot() && e.name().equals(UpperLayout.DEFAULT_WORKDIR_NAME)) {
        continue;
      }
      Path p = dir.resolve(e.name());
      Stat st = io.lstat(p);
      if (st == null) {
        continue;
      }
      UnionPath up = at.child(e.name());
      if (st.isDirectory()) {
        n += linkLowerNames(lookup, copyUp, p, up, branch, wanted);
      } else if (st.kind() == FileKind.REGULAR && st.nlink() > 1
          && wanted.contains(branch + "-" + Long.toUnsignedString(st.ino(), 16))) {
        Resolution r = lookup.resolve(up);
        if (r instanceof Resolution.Visible && !((Resolution.Visible) r).inUpper()
            && ((Resolution.Visible) r).stat().ino() == st.ino()) {
          copyUp.ensureUpper((Resolution.Visible) r, true);
          n++;
        }
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- leftovers

  /**
   * Removes what interrupted runs left: layer directories the record does not name, temporaries
   * in the layers directory and fresh uppers beside the upper whose process is gone.
   */
  public long removeLeftovers() throws IOException {
    long n = 0;
    for (Path p : leftovers()) {
      LOG.info("removing {}, left by an interrupted snapshot tool", p);
      AsideTree.remove(io, p);
      n++;
    }
    return n;
  }

  /** What {@link #removeLeftovers} would remove. */
  public List<Path> leftovers() throws IOException {
    List<Path> out = new ArrayList<>();
    if (io.lstat(layersDir) != null) {
      Set<String> recorded = new HashSet<>();
      for (Layer l : layers()) {
        recorded.add(l.id());
      }
      for (DirEntry e : io.list(layersDir)) {
        String name = e.name();
        if (name.matches("[0-9]{1,9}") && !recorded.contains(name)) {
          out.add(layersDir.resolve(name));
        } else if (name.startsWith(".") && name.contains(".unionfs-squash.")
            && AsideTree.isStale(name.substring(name.lastIndexOf('.') + 1))) {
          out.add(layersDir.resolve(name));
        }
      }
    }
    for (String tool : new String[] {"reset", "rollback"}) {
      String prefix = "." + upper.getFileName() + ".unionfs-" + tool + ".";
      for (DirEntry e : io.list(upper.getParent())) {
        if (e.name().startsWith(prefix) && AsideTree.isStale(e.name().substring(prefix.length()))) {
          out.add(upper.resolveSibling(e.name()));
        }
      }
    }
    return out;
  }

  private void discard(Path p) {
    try {
      AsideTree.remove(io, p);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}; the next run removes it", p, e.getMessage());
    }
  }
}
