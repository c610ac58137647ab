"""Command-line entry point."""
import click


@click.group()
def main() -> None:
    """Audit SageMaker Model Monitor coverage."""
