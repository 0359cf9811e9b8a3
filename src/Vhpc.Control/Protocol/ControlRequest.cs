namespace Vhpc.Control.Protocol;

/// <summary>One request line. <see cref="Cluster"/> names a loaded cluster; <see cref="Node"/> a node of it.</summary>
public sealed record ControlRequest(
    ControlCommand Command,
    string? Cluster = null,
    string? Node = null,
    int? Lines = null);
