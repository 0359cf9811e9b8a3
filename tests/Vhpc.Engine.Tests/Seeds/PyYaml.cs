using System.Diagnostics;
using System.Text.Json;
using Xunit.Sdk;

namespace Vhpc.Engine.Tests.Seeds;

/// <summary>
/// Parses YAML with PyYAML's safe_load, the parser cloud-init itself uses (YAML 1.1: "yes" is a
/// boolean there), and returns the result as JSON. Missing python3-yaml fails the test.
/// </summary>
internal static class PyYaml
{
    private const string Script = "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin.buffer.read().decode('utf-8')), sys.stdout)";

    public static JsonElement Load(byte[] yaml)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new XunitException("python3 is not installed: install python3 and python3-yaml (apt-get install python3-yaml).");
        }

        using (process)
        {
            process.StandardInput.BaseStream.Write(yaml);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd();
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (errors.Contains("No module named 'yaml'", StringComparison.Ordinal))
            {
                throw new XunitException("PyYAML is not installed: install python3-yaml (apt-get install python3-yaml).");
            }

            if (process.ExitCode != 0)
            {
                throw new XunitException($"PyYAML could not parse the document: {errors}");
            }

            return JsonDocument.Parse(output).RootElement.Clone();
        }
    }
}
