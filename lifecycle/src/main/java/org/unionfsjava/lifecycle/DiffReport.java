package org.unionfsjava.lifecycle;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.unionfsjava.model.UnionPath;

/** What {@code diff} prints: a listing for people, or JSON for programs. */
public final class DiffReport {
  private final UpperLayout layout;
  private final List<Change> changes;

  public DiffReport(UpperLayout layout, List<Change> changes) {
    this.layout = layout;
    this.changes = List.copyOf(changes);
  }

  public List<Change> changes() {
    return changes;
  }

  /** How many changes of each type. */
  public Map<Change.Type, Integer> counts() {
    Map<Change.Type, Integer> n = new EnumMap<>(Change.Type.class);
    for (Change.Type t : Change.Type.values()) {
      n.put(t, 0);
    }
    for (Change c : changes) {
      n.merge(c.type(), 1, Integer::sum);
    }
    return n;
  }

  /**
   * One line per change: the type word padded to 9 columns, then the path ({@link Names#text});
   * {@code renamed /new <- /old}; {@code hardlink /a /b (3 links)}.
   */
  public void writeText(PrintWriter out) {
    for (Change c : changes) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s ", c.type().word()));
      if (c.type() == Change.Type.HARD_LINK) {
        for (UnionPath p : c.links()) {
          line.append(Names.text(p.toString())).append(' ');
        }
        line.append('(').append(c.linkCount()).append(" links)");
      } else {
        line.append(Names.text(c.path().toString()));
        if (c.kind() == org.unionfsjava.model.FileKind.DIRECTORY && c.type() != Change.Type.RENAMED) {
          line.append('/');
        }
        if (c.from() != null) {
          line.append(" <- ").append(Names.text(c.from()));
        }
      }
      out.println(line);
    }
    out.flush();
  }

  /** The report as one JSON object (see docs/lifecycle.md, "diff --json"). */
  public void writeJson(OutputStream stream) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(stream, JsonEncoding.UTF8)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      Names.writeJson(g, "upper", layout.upper().toString());
      g.writeStringField("format", layout.format().name());
      g.writeArrayFieldStart("lowers");
      for (java.nio.file.Path l : layout.lowers()) {
        g.writeStartObject();
        Names.writeJson(g, "path", l.toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("changes");
      for (Change c : changes) {
        g.writeStartObject();
        g.writeStringField("change", c.type().word());
        Names.writeJson(g, "path", c.path().toString());
        g.writeStringField("type", Names.kind(c.kind()));
        if (c.from() != null) {
          Names.writeJson(g, "from", c.from());
        }
        if (c.type() == Change.Type.HARD_LINK) {
          g.writeArrayFieldStart("links");
          for (UnionPath p : c.links()) {
            g.writeStartObject();
            Names.writeJson(g, "path", p.toString());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeNumberField("link_count", c.linkCount());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("counts");
      for (Map.Entry<Change.Type, Integer> e : counts().entrySet()) {
        g.writeNumberField(e.getKey().word(), e.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }
}
