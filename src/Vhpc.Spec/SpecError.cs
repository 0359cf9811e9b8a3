namespace Vhpc.Spec;

/// <summary>A position in a spec file; 1-based like every editor.</summary>
public readonly record struct SourceMark(int Line, int Column);

/// <summary>
/// One reason a spec was rejected, naming the field by its YAML path (for example
/// <c>workers.count</c>) and where it is, printed as <c>file:line:column: path: reason</c>.
/// </summary>
public sealed record SpecError(string Source, SourceMark Mark, string Path, string Reason)
{
    public override string ToString() =>
        $"{Source}:{Mark.Line}:{Mark.Column}: {(Path.Length == 0 ? "(document)" : Path)}: {Reason}";
}

/// <summary>A rule a spec broke, before it is placed in a file (see <see cref="ClusterSpecValidator"/>).</summary>
public sealed record SpecViolation(string Path, string Reason);

/// <summary>Thrown where a spec must be valid and is not; carries every error at once.</summary>
public sealed class ClusterSpecException : Exception
{
    public ClusterSpecException(IReadOnlyList<SpecError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public ClusterSpecException()
        : this([])
    {
    }

    public ClusterSpecException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ClusterSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<SpecError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<SpecError> errors) =>
        errors.Count == 0
            ? "invalid cluster spec"
            : $"invalid cluster spec ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
              + string.Join(Environment.NewLine, errors);
}

/// <summary>What loading a spec gave: a spec, or every error found (never both).</summary>
public sealed record SpecLoadResult(ClusterSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;

    /// <summary>The spec, or a <see cref="ClusterSpecException"/> listing every error.</summary>
    public ClusterSpec GetSpecOrThrow() => IsValid ? Spec! : throw new ClusterSpecException(Errors);
}
