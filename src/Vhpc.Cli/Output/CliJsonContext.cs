using System.Text.Json.Serialization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

/// <summary>`--json` output: the same records as the wire protocol, indented for people and jq.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(StatusInfo))]
[JsonSerializable(typeof(IReadOnlyList<ClusterSummary>))]
[JsonSerializable(typeof(PlanInfo))]
[JsonSerializable(typeof(CheckInfo))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
