<#
.SYNOPSIS
    Manage the taskhub docker-compose stack on Windows.

.EXAMPLE
    ./scripts/manage.ps1 up
    ./scripts/manage.ps1 status
    ./scripts/manage.ps1 logs worker
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet("up", "down", "status", "logs", "restart", "test")]
    [string]$Command = "status",

    [Parameter(Position = 1)]
    [string]$Service
)

$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

$Services = @("postgres", "redis", "backend", "worker", "orchestrator", "frontend")

$Descriptions = @{
    postgres     = "PostgreSQL 16, job store"
    redis        = "Redis 7, worker heartbeats"
    backend      = "HTTP API on :8000"
    worker       = "Runs queued and periodic jobs"
    orchestrator = "Pipeline orchestrator (experimental)"
    frontend     = "Web UI on :3000"
}

function Assert-Service([string]$Name) {
    if (-not $Name) { throw "Missing service name. One of: $($Services -join ', ')" }
    if ($Services -notcontains $Name) { throw "Unknown service '$Name'. One of: $($Services -join ', ')" }
}

function Get-ServiceState([string]$Name) {
    $id = docker compose ps -q $Name 2>$null
    if (-not $id) { return "not created" }
    $state = docker inspect --format "{{.State.Status}} {{if .State.Health}}({{.State.Health.Status}}){{end}}" $id
    return $state.Trim()
}

switch ($Command) {
    "up"      { docker compose up -d --build }
    "down"    { docker compose down }
    "status"  {
        foreach ($name in $Services) {
            "{0,-14} {1,-24} {2}" -f $name, (Get-ServiceState $name), $Descriptions[$name]
        }
    }
    "logs"    { Assert-Service $Service; docker compose logs -f --tail=200 $Service }
    "restart" { Assert-Service $Service; docker compose restart $Service }
    "test"    { python -m unittest discover -s backend/tests -t backend }
}
