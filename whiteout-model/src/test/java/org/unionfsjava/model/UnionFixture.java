package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;

/**
 * A union of branches built declaratively for tests, with every model object wired up.
 *
 * <p>Provenance fixtures: a file made with {@link Builder#file(String, String)} contains the name
 * of the branch it lives in ("upper", "lower1", ...), so a read through the union says which
 * branch answered. Branches live in {@code ROOT/upper}, {@code ROOT/lower1}, ...; the work
 * directory is {@value #WORK_NAME} inside the upper, as an internal name of the union's root.
 *
 * <pre>
 * UnionFixture u = UnionFixture.builder(root, io, format)
 *     .file("upper", "common").file("lower1", "common")   // upper/common = "upper"
 *     .whiteout("lower1", "gone").file("lower2", "gone")
 *     .opaque("upper", "d").file("lower1", "d/hidden")
 *     .build();
 * </pre>
 *
 * Public, like everything it uses, so the overlay format's contract test in module unionfs-java
 * can build the same stacks on a real directory.
 */
public final class UnionFixture {
  /** The work directory's name at the upper's root. */
  public static final String WORK_NAME = ".unionfs-work";

  private final Path root;
  private final BranchIo io;
  private final BranchIo guarded;
  private final WhiteoutFormat format;
  private final BranchStack stack;
  private final WorkDir work;
  private final Lookup lookup;
  private final DirectoryMerger merger;
  private final CopyUp copyUp;
  private final Namespace namespace;

  private UnionFixture(Path root, BranchIo io, WhiteoutFormat format, int lowers) throws IOException {
    this.root = root;
    this.io = io;
    this.format = format;
    Path upper = root.resolve("upper");
    Files.createDirectories(upper);
    List<Path> lowerRoots = new ArrayList<>();
    for (int i = 1; i <= lowers; i++) {
      lowerRoots.add(Files.createDirectories(root.resolve("lower" + i)));
    }
    this.stack = BranchStack.of(upper, lowerRoots);
    // the model gets I/O that refuses (EROFS) any change outside the upper: a test that makes the
    // model write to a lower fails loudly; the fixture itself writes lowers with the raw I/O
    this.guarded = new UpperOnlyBranchIo(io, upper, upper.resolve(WORK_NAME));
    this.work = new WorkDir(guarded, upper.resolve(WORK_NAME));
    work.prepare();
    this.lookup = new Lookup(stack, guarded, format, WORK_NAME);
    this.merger = new DirectoryMerger(guarded, lookup);
    this.copyUp = new CopyUp(guarded, format, work, lookup, false);
    this.namespace = new Namespace(guarded, work, lookup, copyUp, merger);
  }

  /** A builder for a stack in the (empty, existing) directory {@code root}. */
  public static Builder builder(Path root, BranchIo io, WhiteoutFormat format) {
    return new Builder(root, io, format);
  }

  /** One declarative step of a {@link Builder}. */
  @FunctionalInterface
  private interface Step {
    void apply(UnionFixture u) throws IOException;
  }

  /** Declares branches and their content; {@link #build()} makes them. Parents are created as needed. */
  public static final class Builder {
    private final Path root;
    private final BranchIo io;
    private final WhiteoutFormat format;
    private int lowers = 2;
    private final List<Step> steps = new ArrayList<>();

    private Builder(Path root, BranchIo io, WhiteoutFormat format) {
      this.root = root;
      this.io = io;
      this.format = format;
    }

    /** The number of lowers (default 2). */
    public Builder lowers(int n) {
      this.lowers = n;
      return this;
    }

    /** A regular file whose content is the branch's name. */
    public Builder file(String branch, String path) {
      return file(branch, path, branch);
    }

    /** A regular file with this content. */
    public Builder file(String branch, String path, String content) {
      steps.add(u -> {
        Path p = u.branch(branch).resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, content.getBytes(StandardCharsets.UTF_8));
      });
      return this;
    }

    /** A directory. */
    public Builder dir(String branch, String path) {
      steps.add(u -> Files.createDirectories(u.branch(branch).resolve(path)));
      return this;
    }

    /** A symbolic link. */
    public Builder symlink(String branch, String path, String target) {
      steps.add(u -> {
        Path p = u.branch(branch).resolve(path);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, p.getFileSystem().getPath(target));
      });
      return this;
    }

    /** A whiteout for {@code path} in this branch, written by the format under test. */
    public Builder whiteout(String branch, String path) {
      steps.add(u -> {
        Path p = u.branch(branch).resolve(path);
        Files.createDirectories(p.getParent());
        u.format.whiteout(u.io, u.work, p.getParent(), p.getFileName().toString());
      });
      return this;
    }

    /** A directory marked opaque by the format under test. */
    public Builder opaque(String branch, String path) {
      steps.add(u -> {
        Path p = Files.createDirectories(u.branch(branch).resolve(path));
        u.format.markOpaque(u.io, p);
      });
      return this;
    }

    /** Makes the branches, the work directory and the declared content, in declaration order. */
    public UnionFixture build() throws IOException {
      UnionFixture u = new UnionFixture(root, io, format, lowers);
      for (Step s : steps) {
        s.apply(u);
      }
      return u;
    }
  }

  // ---- the wiring ----------------------------------------------------------------------------

  public Path root() {
    return root;
  }

  /** The raw branch I/O (the model objects get it wrapped in {@link UpperOnlyBranchIo}). */
  public BranchIo io() {
    return io;
  }

  public WhiteoutFormat format() {
    return format;
  }

  public BranchStack stack() {
    return stack;
  }

  public WorkDir work() {
    return work;
  }

  public Lookup lookup() {
    return lookup;
  }

  public DirectoryMerger merger() {
    return merger;
  }

  public CopyUp copyUp() {
    return copyUp;
  }

  public Namespace namespace() {
    return namespace;
  }

  /** The root of the branch labelled "upper", "lower1", "lower2", ... */
  public Path branch(String label) {
    for (Branch b : stack.all()) {
      if (b.label().equals(label)) {
        return b.root();
      }
    }
    throw new IllegalArgumentException("no branch " + label);
  }

  /** The branch object labelled so. */
  public Branch branchNamed(String label) {
    for (Branch b : stack.all()) {
      if (b.label().equals(label)) {
        return b;
      }
    }
    throw new IllegalArgumentException("no branch " + label);
  }

  // ---- looking at the union ------------------------------------------------------------------

  /** The resolution of a union path such as "/a/b". */
  public Resolution resolve(String path) throws IOException {
    return lookup.resolve(UnionPath.of(path));
  }

  /** The visible object at a union path (fails the test with ENOENT/ENOTDIR otherwise). */
  public Resolution.Visible visible(String path) throws IOException {
    return resolve(path).requireVisible();
  }

  /** The content of a visible regular file, read from its top layer. */
  public String content(String path) throws IOException {
    return new String(Files.readAllBytes(visible(path).top().path()), StandardCharsets.UTF_8);
  }

  /** The label of the branch that answers for a visible path. */
  public String provenance(String path) throws IOException {
    return visible(path).top().branch().label();
  }

  /** The merged listing's names, in the merger's order. */
  public List<String> names(String dir) throws IOException {
    return merger.list(visible(dir)).stream().map(MergedEntry::name).collect(Collectors.toList());
  }

  /** The names in the work directory's temporary area. */
  public List<String> temps() throws IOException {
    try (Stream<Path> s = Files.list(work.path().resolve("tmp"))) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** What a branch directory (relative path, "" for the root) says about one name, in the format. */
  public WhiteoutFormat.Entry raw(String branch, String dir, String name) throws IOException {
    Path d = dir.isEmpty() ? branch(branch) : branch(branch).resolve(dir);
    return format.lookup(io, d, name);
  }

  /**
   * Every object of a branch with kind, permission bits, mtime (ns) and content (files) or target
   * (symlinks), keyed by relative path: two equal snapshots mean nothing was changed.
   */
  public Map<String, String> snapshot(String branch) throws IOException {
    Path b = branch(branch);
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(b)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Stat st = io.lstat(p);
        String rel = b.relativize(p).toString();
        String what = st.kind() + " " + Integer.toOctalString(st.permissions()) + " " + st.mtimeNs();
        if (st.kind() == FileKind.REGULAR) {
          what += " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } else if (st.kind() == FileKind.SYMLINK) {
          what += " -> " + Files.readSymbolicLink(p);
        }
        out.put(rel, what);
      }
    }
    return out;
  }

  /** True if the object exists in the branch (not following symlinks). */
  public boolean existsIn(String branch, String path) {
    return Files.exists(branch(branch).resolve(path), LinkOption.NOFOLLOW_LINKS);
  }

  // ---- changing the union --------------------------------------------------------------------

  /** Creates a regular file (mode 0644) with this content; returns its upper path. */
  public Path createFile(String path, String content) throws IOException {
    return namespace.create(resolve(path), Caller.ROOT, false, at -> {
      io.createFile(at, 0644);
      Files.write(at, content.getBytes(StandardCharsets.UTF_8));
    });
  }

  /** Creates a directory (mode 0755); returns its upper path. */
  public Path mkdir(String path) throws IOException {
    return namespace.create(resolve(path), Caller.ROOT, true, at -> io.mkdir(at, 0755));
  }

  /** unlink(2) through the union. */
  public void unlink(String path) throws IOException {
    UnionPath p = UnionPath.of(path);
    namespace.unlink(lookup.resolve(p).requireVisible(), lookup.resolve(p.parent()).requireDirectory());
  }

  /** rmdir(2) through the union. */
  public void rmdir(String path) throws IOException {
    UnionPath p = UnionPath.of(path);
    namespace.rmdir(lookup.resolve(p).requireVisible(), lookup.resolve(p.parent()).requireDirectory());
  }

  /** rename(2) through the union. */
  public void rename(String from, String to) throws IOException {
    UnionPath f = UnionPath.of(from);
    UnionPath t = UnionPath.of(to);
    namespace.rename(lookup.resolve(f).requireVisible(), lookup.resolve(f.parent()).requireDirectory(),
        lookup.resolve(t), lookup.resolve(t.parent()).requireDirectory());
  }

  /** renameat2(RENAME_EXCHANGE) through the union. */
  public void exchange(String a, String b) throws IOException {
    UnionPath pa = UnionPath.of(a);
    UnionPath pb = UnionPath.of(b);
    namespace.exchange(lookup.resolve(pa).requireVisible(), lookup.resolve(pa.parent()).requireDirectory(),
        lookup.resolve(pb).requireVisible(), lookup.resolve(pb.parent()).requireDirectory());
  }

  // ---- assertions ----------------------------------------------------------------------------

  /** Asserts that the code throws a {@link UnionException} with this errno; returns it. */
  public static UnionException assertErrno(Errno expected, Executable code) {
    UnionException e = assertThrows(UnionException.class, code);
    assertEquals(expected, e.errno(), () -> "errno of " + e.getMessage());
    return e;
  }
}
