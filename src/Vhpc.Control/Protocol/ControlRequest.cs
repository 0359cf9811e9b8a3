namespace Vhpc.Control.Protocol;

/// <summary>One request line. <see cref="Cluster"/> names a loaded cluster; <see cref="Node"/> a node of it.</summary>
/// <param name="Reconfigure">Apply only: configure every node even where its recorded configuration still holds.</param>
public sealed record ControlRequest(
    ControlCommand Command,
    string? Cluster = null,
    string? Node = null,
    int? Lines = null,
    bool? Reconfigure = null);
