package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/**
 * The snapshots of an upper: read-only layers that lie between the upper and the lowers it was
 * mounted over. Each is a former upper (in the same whiteout format) kept in the directory {@code
 * UPPER.layers/ID} beside the upper; which of them are in the stack, in what order, with what name
 * and date, is recorded in the upper's work directory, {@code WORK/layers} (one line per layer,
 * the oldest first: {@code ID TAB epoch-seconds TAB name}). The record lives inside the upper
 * (the default work directory), so the one rename that swaps a new upper in also swaps the layer
 * list: a snapshot, reset or rollback is never half done.
 *
 * <p>A mount reads the record once it holds the upper's lock ({@link UnionMount#mount}) and puts
 * the layers, newest first, above the lowers it was given; the offline tools do the same. A layer
 * directory the record does not name is a leftover of an interrupted tool and is never mounted.
 */
public final class SnapshotLayers {
  /** The record's name in the work directory. */
  public static final String RECORD = "layers";
  /** What the layers directory's name adds to the upper's. */
  public static final String DIR_SUFFIX = ".layers";

  /** One layer of the record: its directory's name, when it was made and the name it was given. */
  public record Layer(String id, Instant made, String name) {
    public Layer {
      if (!id.matches("[0-9]{1,9}")) {
        throw new IllegalArgumentException("a layer id is a number: " + id);
      }
      if (name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("a layer name has no tab or newline");
      }
    }
  }

  private SnapshotLayers() {}

  /** Where an upper's layers lie: {@code UPPER.layers} beside it. */
  public static Path layersDir(Path upper) {
    Path abs = upper.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + DIR_SUFFIX);
  }

  /** The layers recorded in this work directory, the oldest first; none if it has no record. */
  public static List<Layer> read(Path workDir) throws UnionException {
    byte[] data;
    try {
      data = Files.readAllBytes(workDir.resolve(RECORD));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UnionException(Errno.EIO, workDir.resolve(RECORD).toString(),
          "cannot read the snapshot record (" + e.getMessage() + ")", e);
    }
    return parse(new String(data, StandardCharsets.UTF_8), workDir.resolve(RECORD));
  }

  /** The record's text read back. */
  public static List<Layer> parse(String text, Path where) throws UnionException {
    List<Layer> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", 3);
      try {
        out.add(new Layer(f[0], Instant.ofEpochSecond(Long.parseLong(f[1])), f.length > 2 ? f[2] : ""));
      } catch (RuntimeException e) {
        throw new UnionException(Errno.EINVAL, String.valueOf(where),
            "the snapshot record has a bad line: " + line);
      }
    }
    return out;
  }

  /** The record's text for these layers, the oldest first. */
  public static String format(List<Layer> layers) {
    StringBuilder b = new StringBuilder();
    for (Layer l : layers) {
      b.append(l.id()).append('\t').append(l.made().getEpochSecond()).append('\t').append(l.name()).append('\n');
    }
    return b.toString();
  }

  /**
   * The lowers a union of {@code upper} stands on: its recorded layers, newest first, then {@code
   * lowers}. Lowers that already begin with those layers (a command line that named them) are
   * returned as given.
   *
   * @param workDir the work directory, or null for the default {@code UPPER/.unionfs-java}
   */
  public static List<Path> stack(Path upper, Path workDir, List<Path> lowers) throws UnionException {
    List<Layer> layers = read(UpperLock.workDirOf(upper, workDir));
    if (layers.isEmpty()) {
      return lowers;
    }
    Path dir = layersDir(upper);
    List<Path> out = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      out.add(dir.resolve(layers.get(i).id()));
    }
    List<Path> given = new ArrayList<>();
    for (Path l : lowers) {
      given.add(l.toAbsolutePath().normalize());
    }
    if (given.size() >= out.size() && given.subList(0, out.size()).equals(out)) {
      return lowers;
    }
    out.addAll(lowers);
    return out;
  }
}
