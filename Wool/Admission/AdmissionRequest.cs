namespace Wool.Admission;

/// <summary>What an <see cref="IAdmissionPolicy"/> knows of an incoming call.</summary>
/// <param name="Routine">The routine's id.</param>
/// <param name="Assembly">The assembly that declares it.</param>
/// <param name="InFlight">Calls the worker is running now (not counting this one).</param>
public readonly record struct AdmissionRequest(string Routine, string Assembly, int InFlight);
