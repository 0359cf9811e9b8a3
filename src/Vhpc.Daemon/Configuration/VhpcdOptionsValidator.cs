using Microsoft.Extensions.Options;

namespace Vhpc.Daemon.Configuration;

/// <summary>The per-field rules (data annotations), checked by generated code at start.</summary>
[OptionsValidator]
internal sealed partial class VhpcdOptionsValidator : IValidateOptions<VhpcdOptions>;
