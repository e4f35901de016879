from kube2pod.cli import run

run()
