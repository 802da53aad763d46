using Microsoft.AspNetCore.Authorization;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>A state-changing request signed in by cookie comes from this site; checked by <see cref="SameOriginHandler"/>.</summary>
internal sealed class SameOriginRequirement : IAuthorizationRequirement;
