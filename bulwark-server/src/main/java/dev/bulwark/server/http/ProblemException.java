package dev.bulwark.server.http;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import java.util.List;
import java.util.Map;

/** An HTTP failure to answer with an RFC 9457 problem document. */
final class ProblemException extends BulwarkException {
  final int status;
  final String type;
  final String title;
  final List<Problem> errors;
  final Map<String, String> headers;

  ProblemException(
      int status,
      String type,
      String title,
      String detail,
      List<Problem> errors,
      Map<String, String> headers) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  static ProblemException badRequest(String detail, List<Problem> errors) {
    return new ProblemException(400, "bad-request", "Bad request", detail, errors, Map.of());
  }

  static ProblemException badParameter(String name, String message) {
    return badRequest(
        "invalid query parameter '" + name + "'", List.of(new Problem(name, message)));
  }

  static ProblemException notFound(String detail) {
    return new ProblemException(404, "not-found", "Not found", detail, List.of(), Map.of());
  }

  static ProblemException unauthorized(String detail) {
    return new ProblemException(
        401,
        "unauthorized",
        "Unauthorized",
        detail,
        List.of(),
        Map.of("WWW-Authenticate", "Bearer realm=\"bulwark\", Basic realm=\"bulwark\""));
  }

  static ProblemException forbidden(String detail) {
    return new ProblemException(403, "forbidden", "Forbidden", detail, List.of(), Map.of());
  }

  static ProblemException tooLarge(long limit) {
    return new ProblemException(
        413,
        "body-too-large",
        "Request body too large",
        "the body exceeds the limit of %d bytes; split the batch (or raise server.max_body)"
            .formatted(limit),
        List.of(),
        Map.of());
  }

  static ProblemException unsupportedMediaType(String got) {
    return new ProblemException(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "'%s' is not accepted; send application/json (an array) or application/x-ndjson"
            .formatted(got),
        List.of(),
        Map.of());
  }
}
