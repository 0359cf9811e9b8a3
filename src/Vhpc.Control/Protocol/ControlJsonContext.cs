using System.Text.Json.Serialization;

namespace Vhpc.Control.Protocol;

/// <summary>Source-generated (reflection-free) JSON for the wire protocol: one object per line.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlMessage))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
