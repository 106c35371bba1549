# PyTorch reference for issue 2: the seed cnn recipe (Keras-style: glorot-uniform kernels, zero
# biases, Adam 1e-3 eps 1e-7, batch 32, 5 epochs, NHWC flatten) on Fashion-MNIST, one line
# "seed accuracy" per seed. Needs Debian python3-torch (not a project dependency):
#   /usr/bin/python3 bench/peers/pytorch_cnn_seeds.py 0 8
# Run 2026-11-30 on the project machine: seeds 0-7 gave 89.14 89.38 89.04 89.08 88.48 89.05
# 88.90 88.58 (median 89.05%); litequant train_bench, 12 seeds: 88.25-89.43, median 89.1%.
import gzip, struct, sys, numpy as np, torch, torch.nn as nn
torch.set_num_threads(2)
D='/usr/share/datasets/fashion-mnist/'
def idx(path):
    op = gzip.open if path.endswith('.gz') else open
    with op(path,'rb') as f:
        data=f.read()
    nd=data[3]; dims=struct.unpack('>'+'I'*nd, data[4:4+4*nd])
    return np.frombuffer(data[4+4*nd:],dtype=np.uint8).reshape(dims)
import os
def find(name):
    for ext in ['','.gz']:
        if os.path.exists(D+name+ext): return D+name+ext
xtr=torch.tensor(idx(find('train-images-idx3-ubyte'))/255.0,dtype=torch.float32).unsqueeze(1)
ytr=torch.tensor(idx(find('train-labels-idx1-ubyte')).astype(np.int64))
xte=torch.tensor(idx(find('t10k-images-idx3-ubyte'))/255.0,dtype=torch.float32).unsqueeze(1)
yte=torch.tensor(idx(find('t10k-labels-idx1-ubyte')).astype(np.int64))
def run(seed, eps=1e-7):
    torch.manual_seed(seed)
    conv=nn.Conv2d(1,12,3); fc=nn.Linear(13*13*12,10)
    for m in (conv,fc):
        nn.init.xavier_uniform_(m.weight); nn.init.zeros_(m.bias)
    class Net(nn.Module):
        def __init__(s): super().__init__(); s.conv=conv; s.fc=fc
        def forward(s,x):
            x=torch.relu(s.conv(x)); x=torch.max_pool2d(x,2)
            x=x.permute(0,2,3,1).reshape(x.shape[0],-1)  # NHWC flatten like Keras
            return s.fc(x)
    net=Net(); opt=torch.optim.Adam(net.parameters(),lr=1e-3,eps=eps)
    lossf=nn.CrossEntropyLoss()
    for ep in range(5):
        perm=torch.randperm(60000)
        for i in range(0,60000,32):
            b=perm[i:i+32]; opt.zero_grad(); l=lossf(net(xtr[b]),ytr[b]); l.backward(); opt.step()
    with torch.no_grad():
        acc=(net(xte).argmax(1)==yte).float().mean().item()
    return acc
for s in range(int(sys.argv[1]), int(sys.argv[2])):
    print(s, run(s), flush=True)
