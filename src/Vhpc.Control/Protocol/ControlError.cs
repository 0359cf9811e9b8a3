namespace Vhpc.Control.Protocol;

public enum ControlErrorCode
{
    /// <summary>The request line was not a valid request.</summary>
    BadRequest,

    /// <summary>The peer is not root and not in the socket's group.</summary>
    PermissionDenied,

    UnknownCluster,
    UnknownNode,

    /// <summary>The cluster file has errors (and no earlier good version to fall back to).</summary>
    InvalidSpec,

    /// <summary>The engine ran and reported failure (apply/destroy/plan/status).</summary>
    OperationFailed,

    /// <summary>vhpcd is stopping; the operation stopped at a safe point.</summary>
    ShuttingDown,

    Internal,
}

/// <summary><see cref="Message"/> is one line a person understands; <see cref="Detail"/> is for --verbose.</summary>
public sealed record ControlError(ControlErrorCode Code, string Message, string? Detail = null);
