package io.procgate.server.validation;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one declared value must satisfy: presence, its rules, and, for a value marked
 * {@code @Valid}, the constraints of the model it holds. A container's constraints on its items
 * (type-use annotations such as {@code List<@Valid Detail>}) apply to each item.
 *
 * <p>Reading a declaration fails on a constraint this class does not check, or on a type it cannot
 * check it on: a spec that gains one then fails the build's tests instead of going unchecked.
 */
final class ValueConstraints {
  private static final Set<Class<?>> WHOLE_NUMBERS =
      Set.of(
          Integer.class,
          Long.class,
          Short.class,
          Byte.class,
          int.class,
          long.class,
          short.class,
          byte.class);
  private static final String CONSTRAINTS_PACKAGE = NotNull.class.getPackageName();

  private final boolean required;
  private final List<Rule> rules;
  private final boolean model;
  private final ValueConstraints items;

  private ValueConstraints(
      boolean required, List<Rule> rules, boolean model, ValueConstraints items) {
    this.required = required;
    this.rules = rules;
    this.model = model;
    this.items = items;
  }

  /** The constraints of a declaration, or {@code null} when it has none. */
  static ValueConstraints read(Annotation[] annotations, AnnotatedType type, String declaration) {
    return read(annotations, type, declaration, false);
  }

  private static ValueConstraints read(
      Annotation[] annotations, AnnotatedType type, String declaration, boolean valid) {
    Class<?> raw = rawClass(type.getType());
    boolean container = Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw);
    boolean required = false;
    List<Rule> rules = new ArrayList<>();
    for (Annotation annotation : annotations) {
      Class<? extends Annotation> kind = annotation.annotationType();
      if (annotation instanceof NotNull) {
        required = true;
      } else if (annotation instanceof Valid) {
        valid = true;
      } else if (annotation instanceof Size size && (container || isText(raw))) {
        rules.add(new Rule.Size(size.min(), size.max()));
      } else if (annotation instanceof Min min && WHOLE_NUMBERS.contains(raw)) {
        rules.add(new Rule.AtLeast(min.value()));
      } else if (annotation instanceof Max max && WHOLE_NUMBERS.contains(raw)) {
        rules.add(new Rule.AtMost(max.value()));
      } else if (annotation instanceof Pattern pattern && isText(raw)) {
        rules.add(new Rule.Matches(compile(pattern)));
      } else if (kind.getPackageName().equals(CONSTRAINTS_PACKAGE)) {
        throw new IllegalStateException(
            "@" + kind.getSimpleName() + " on " + declaration + " is not checked by the server");
      }
    }
    ValueConstraints items = container ? itemsOf(type, valid, declaration) : null;
    boolean model = valid && !container && !isText(raw) && !WHOLE_NUMBERS.contains(raw);
    if (!required && rules.isEmpty() && !model && items == null) {
      return null;
    }
    return new ValueConstraints(required, List.copyOf(rules), model, items);
  }

  /**
   * Adds what is wrong with {@code value} to {@code found}, made when needed. The value is the
   * field {@code name} of {@code parent}, or {@code parent} itself when {@code name} is {@code
   * null}; that place is made only for a value that is refused or that holds more to check.
   */
  List<String> check(Object value, Place parent, String name, List<String> found) {
    if (value == null) {
      return required ? add(found, at(parent, name).describe() + " is required") : found;
    }
    for (Rule rule : rules) {
      String problem = rule.problem(value);
      if (problem != null) {
        found = add(found, at(parent, name).describe() + " " + problem);
      }
    }
    if (model) {
      found = ModelConstraints.of(value.getClass()).check(value, at(parent, name), found);
    }
    if (items != null && value instanceof Map<?, ?> entries) {
      Place place = at(parent, name);
      for (Map.Entry<?, ?> entry : entries.entrySet()) {
        found = items.check(entry.getValue(), place, String.valueOf(entry.getKey()), found);
      }
    } else if (items != null) {
      Place place = at(parent, name);
      int index = 0;
      for (Object item : (Collection<?>) value) {
        found = items.check(item, place.item(index++), null, found);
      }
    }
    return found;
  }

  private static Place at(Place parent, String name) {
    return name == null ? parent : parent.field(name);
  }

  private static ValueConstraints itemsOf(
      AnnotatedType container, boolean valid, String declaration) {
    if (!(container instanceof AnnotatedParameterizedType parameterized)) {
      return null;
    }
    AnnotatedType[] arguments = parameterized.getAnnotatedActualTypeArguments();
    AnnotatedType item = arguments[arguments.length - 1];
    // @Valid on a container, as the generator writes it, means its items are models to check.
    return read(item.getAnnotations(), item, declaration + " item", valid);
  }

  private static java.util.regex.Pattern compile(Pattern pattern) {
    int flags = 0;
    for (Pattern.Flag flag : pattern.flags()) {
      flags |= flag.getValue();
    }
    return java.util.regex.Pattern.compile(pattern.regexp(), flags);
  }

  private static boolean isText(Class<?> raw) {
    return CharSequence.class.isAssignableFrom(raw);
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof ParameterizedType parameterized) {
      return (Class<?>) parameterized.getRawType();
    }
    return type instanceof Class<?> plain ? plain : Object.class;
  }

  private static List<String> add(List<String> found, String problem) {
    List<String> list = found == null ? new ArrayList<>() : found;
    list.add(problem);
    return list;
  }
}
