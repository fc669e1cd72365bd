package org.unionfsjava.fs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Resolver;
import org.unionfsjava.model.UnionPath;

/**
 * The union's lookup cache: a tree of resolved names like the kernel's dentry cache. An entry is
 * keyed by its parent entry's id and its name, so dropping a directory's entry makes its whole
 * subtree unreachable at once (a directory rename or rmdir costs one removal, not a scan).
 *
 * <p>Entries that a lower could change ({@link Resolution#dependsOnLowers()}) are trusted for at
 * most the TTL, then read again; an entry read again with the same layers keeps its id, so its
 * cached children stay reachable. Entries the upper alone decided stay until the union changes
 * them (only the union writes the upper) or the size bound evicts them. Negative entries are
 * cached too, for the TTL (not with fixed lowers, below).
 *
 * <p>Races between a lookup and a change are closed with a generation counter: a lookup that saw
 * the generation move while it read the branches removes what it cached (see {@link #resolve}).
 * Every change through the union must call {@link #invalidate} after it changed the branches.
 *
 * <p>With lowers that do not change (fixed lower mode: no TTL) the entries of recently
 * used directories are also remembered by path, for one generation: a name is then found with
 * one step from its parent instead of one step per component from the root. Any change through
 * the union (any {@link #invalidate}) moves the generation and so forgets them all. Missing
 * names are not kept there: the kernel keeps its negative entry for an hour in that mode, so the
 * union's copy served only its own follow-up calls, and putting it cost more than reading the
 * branches again (20,000 missing names, 8 repetitions each way: 368-425 ms kept out, 400-572 ms
 * kept, the cache's upkeep and evictions in the profile).
 */
final class ResolutionCache implements Resolver {
  /** A cached name: its id (parent of its children's keys), the answer, when it was made. */
  private record Node(long id, Resolution res, long createdNanos) {}

  /**
   * A name in its parent's entry. The hash mixes the parent's id first: with the record's default
   * (31 * id + name's hash) the sequential ids of sibling directories and the near-sequential
   * hashes of names such as {@code f000123} collide by the thousand, and the map's buckets turn into
   * trees (measured: 8.5 % of a warm walk's samples in ConcurrentHashMap$TreeBin.find).
   */
  private record Key(long parentId, String name) {
    @Override
    public int hashCode() {
      long h = parentId * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) ^ name.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.parentId == parentId && k.name.equals(name);
    }
  }

  private final Lookup lookup;
  private final Cache<Key, Node> cache;
  private final long ttlNanos;
  private final Ticker ticker;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong generation = new AtomicLong();
  /** The lowers do not change while mounted (fixed lower mode): see the class doc. */
  private final boolean fixedLowers;
  /** Recently used directories' entries by path (fixed lowers only, else null); see class doc. */
  private final AtomicReferenceArray<ParentEntry> parents;

  /** A directory's entry remembered by path, valid while the generation is {@code generation}. */
  private record ParentEntry(long generation, UnionPath path, Node node) {}

  /** How many directories {@link #parents} remembers (a power of two: slots by hash). */
  private static final int PARENT_SLOTS = 256;
  private volatile Node root;

  /**
   * Heap bytes of one cached name beyond the characters of its name and paths, measured with a
   * heap histogram (docs/memory.md: 541 bytes for a 7-byte name, a 13-byte union path and a
   * 53-byte branch path, one byte more per character).
   */
  static final int ENTRY_BYTES = 470;

  /**
   * @param mode {@link LowerMode#FIXED}: entries are never stale; else they are for {@code ttl}
   * @param ttl how long an entry a lower could change is trusted (changing mode only)
   * @param maxBytes the bound, in estimated heap bytes ({@link #weight}): deep trees and long
   *     branch paths cost more per name, so a bound in names alone could outgrow the heap
   */
  ResolutionCache(Lookup lookup, LowerMode mode, Duration ttl, long maxBytes, Ticker ticker) {
    this.lookup = lookup;
    this.fixedLowers = mode == LowerMode.FIXED;
    this.ttlNanos = ttl.toNanos();
    this.ticker = ticker;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher(ResolutionCache::weight)
        // maintenance (eviction) on the calling thread: a pool thread woken for it on every few
        // writes cost more in context switches than the work itself (profile of a 50k-file walk)
        .executor(Runnable::run)
        .recordStats()
        .build();
    this.parents = fixedLowers ? new AtomicReferenceArray<>(PARENT_SLOTS) : null;
  }

  /** The estimated heap bytes of one cached name: a fixed part plus its name's and paths' characters. */
  static int weight(Key key, Node node) {
    long chars = key.name().length() + node.res().path().toString().length();
    if (node.res() instanceof Resolution.Visible) {
      for (org.unionfsjava.model.Layer l : ((Resolution.Visible) node.res()).layers()) {
        chars += l.path().toString().length();
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, ENTRY_BYTES + chars);
  }

  /** The root, re-read once its TTL passed (its lower layers can change). */
  private Node root() throws IOException {
    Node r = root;
    if (r == null || isStale(r)) {
      Resolution res = lookup.root();
      r = new Node(r != null && sameLayers(r.res(), res) ? r.id() : ids.incrementAndGet(), res, ticker.read());
      root = r;
    }
    return r;
  }

  /** True if an entry that a lower could change is older than the TTL (never with fixed lowers). */
  private boolean isStale(Node n) {
    return !fixedLowers && n.res().dependsOnLowers() && ticker.read() - n.createdNanos() > ttlNanos;
  }

  /**
   * True if a re-read answer has the same layers as the old one: its children, keyed by the old
   * entry's id, stay valid, so an expired directory does not take its whole subtree with it.
   */
  private static boolean sameLayers(Resolution old, Resolution fresh) {
    if (old instanceof Resolution.Visible && fresh instanceof Resolution.Visible) {
      Resolution.Visible a = (Resolution.Visible) old;
      Resolution.Visible b = (Resolution.Visible) fresh;
      return a.layers().equals(b.layers()) && a.kind() == b.kind() && a.opaque() == b.opaque();
    }
    return false;
  }

  /**
   * Resolves a path, one cached name at a time. A name missing from the cache is resolved in its
   * parent and stored; if the generation moved meanwhile (a change ran concurrently) the new entry
   * is removed again, so a stale answer is never kept.
   */
  @Override
  public Resolution resolve(UnionPath path) throws IOException {
    try {
      return resolveOnce(path);
    } catch (org.unionfsjava.model.UnionException e) {
      if (e.errno() != org.unionfsjava.model.Errno.ESTALE) {
        throw e;
      }
      // a lower's NFS server restarted: what we cached may name dead handles; start afresh once
      invalidateAll();
      return resolveOnce(path);
    }
  }

  private Resolution resolveOnce(UnionPath path) throws IOException {
    long gen = generation.get();
    if (path.isRoot()) {
      return root().res();
    }
    UnionPath parent = null;
    int slot = 0;
    if (parents != null) {
      parent = path.parent();
      slot = parent.hashCode() & (PARENT_SLOTS - 1);
      ParentEntry known = parents.get(slot);
      if (known != null && known.generation() == gen && known.path().equals(parent)) {
        return step((Resolution.Visible) known.node().res(), known.node().id(), path.name(), gen)
            .res();
      }
    }
    String[] names = path.components();
    Node node = root();
    for (int i = 0; i < names.length; i++) {
      if (!(node.res() instanceof Resolution.Visible)) {
        return Lookup.missingBelow(node.res(), path);
      }
      node = step((Resolution.Visible) node.res(), node.id(), names[i], gen);
      if (i == names.length - 2 && parent != null && node.res() instanceof Resolution.Visible
          && generation.get() == gen) {
        parents.set(slot, new ParentEntry(gen, parent, node));
      }
    }
    return node.res();
  }

  /**
   * The entry of {@code name} in the visible entry {@code dir} (id {@code dirId}), from the cache
   * or read from the branches and stored.
   */
  private Node step(Resolution.Visible dir, long dirId, String name, long gen) throws IOException {
    Key key = new Key(dirId, name);
    Node child = cache.getIfPresent(key);
    if (child == null || isStale(child)) {
      Resolution res = lookup.step(dir, name);
      long id = child != null && sameLayers(child.res(), res) ? child.id() : ids.incrementAndGet();
      Node fresh = new Node(id, res, ticker.read());
      if (fixedLowers && res instanceof Resolution.Missing) {
        return fresh; // not kept (see the class doc)
      }
      cache.put(key, fresh);
      if (generation.get() != gen) {
        cache.asMap().remove(key, fresh);
      }
      child = fresh;
    }
    return child;
  }

  /**
   * Forgets a path (and so its whole subtree) and every ancestor whose answer came from a lower,
   * because a change below it copied it up. Call after the change reached the branches.
   */
  void invalidate(UnionPath path) {
    generation.incrementAndGet();
    if (path.isRoot()) {
      root = null;
      return;
    }
    Node node = root;
    if (node == null) {
      return;
    }
    for (String name : path.components()) {
      Key key = new Key(node.id(), name);
      Node child = cache.getIfPresent(key);
      if (child == null) {
        return;
      }
      Resolution res = child.res();
      boolean last = res.path().equals(path);
      if (last || !(res instanceof Resolution.Visible) || !((Resolution.Visible) res).inUpper()) {
        cache.invalidate(key);
        return; // everything below hangs off the removed entry
      }
      node = child;
    }
  }

  /** Forgets everything (the lowers changed in a way the user told us about). */
  void invalidateAll() {
    generation.incrementAndGet();
    root = null;
    cache.invalidateAll();
  }

  /** Hit and miss counts, for status. */
  CacheStats stats() {
    return cache.stats();
  }

  /** The estimated heap bytes of the cached names (the weight Caffeine bounds). */
  long weightedSize() {
    cache.cleanUp();
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** The number of cached names (approximate). */
  long size() {
    return cache.estimatedSize();
  }
}
