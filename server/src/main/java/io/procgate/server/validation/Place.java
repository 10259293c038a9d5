package io.procgate.server.validation;

import io.procgate.server.error.ApiException;

/**
 * Where a value sits in a request: a parameter, the body, or a field below the body. Its name is
 * put together only for a value that is refused.
 */
record Place(Place parent, String name) {
  static final Place BODY = new Place(null, null);

  static Place parameter(String kind, String name) {
    return new Place(null, kind + " " + ApiException.quoted(name));
  }

  Place field(String property) {
    return new Place(this, property);
  }

  Place item(int index) {
    return new Place(this, "[" + index + "]");
  }

  String describe() {
    if (parent == null) {
      return name == null ? "the request body" : name;
    }
    Place root = parent;
    while (root.parent != null) {
      root = root.parent;
    }
    StringBuilder path = new StringBuilder();
    appendPath(path);
    return root == BODY
        ? "field " + ApiException.quoted(path.toString())
        : root.name + " at " + path;
  }

  private void appendPath(StringBuilder path) {
    if (parent.parent != null) {
      parent.appendPath(path);
      if (!name.startsWith("[")) {
        path.append('.');
      }
    }
    path.append(name);
  }
}
